-- Issue 10, item 11: at most one pending BPJS login task per application. A
-- login call reuses the application's live task instead of adding one, and
-- closes a pending task whose hour has passed (status 'expired') before it
-- adds a new one. Pending tasks that earlier versions piled up are closed
-- here, all but the newest of each application.
UPDATE bpjs_tasks SET status = 'expired'
WHERE status = 'pending'
  AND id < (SELECT MAX(t.id) FROM bpjs_tasks t
            WHERE t.application_id = bpjs_tasks.application_id AND t.status = 'pending');

CREATE UNIQUE INDEX bpjs_tasks_pending ON bpjs_tasks (application_id) WHERE status = 'pending';

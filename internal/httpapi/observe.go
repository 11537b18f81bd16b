package httpapi

import "time"

// Observer is told of every request the API answers (the metrics adapter
// implements it; Config.Observer nil means nobody listens). Its methods run
// on the request path: they must be cheap and safe for concurrent use.
type Observer interface {
	// Request: a request was answered with status after d. route is the
	// route pattern, or "unmatched", never the path (it holds xids).
	Request(route string, status int, d time.Duration)
	// InternalError: the request failed with an internal error, answered
	// 500 with its cause logged.
	InternalError(route string)
}

// observe tells the observer, if any, how a request ended.
func (s *Server) observe(route string, status int, d time.Duration, info *reqInfo) {
	if s.cfg.Observer == nil {
		return
	}
	s.cfg.Observer.Request(route, status, d)
	if info.internal {
		s.cfg.Observer.InternalError(route)
	}
}

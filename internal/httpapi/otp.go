package httpapi

import "net/http"

func (s *Server) handleSendOTP(o OTP) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req sendOTPRequest
		if !decode(w, r, &req) {
			return
		}
		if err := o.SendOTP(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), req.input()); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func (s *Server) handleValidateOTP(o OTP) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req validateOTPRequest
		if !decode(w, r, &req) {
			return
		}
		if err := o.ValidateOTP(r.Context(), partnerFrom(r.Context()), r.PathValue("xid"), req.input()); err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, nil)
	})
}

func (s *Server) handleSandboxSMS(sb Sandbox) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req sandboxSMSRequest
		if !decode(w, r, &req) {
			return
		}
		out, err := sb.SandboxSMS(r.Context(), partnerFrom(r.Context()), req.input())
		if err != nil {
			fail(w, r, err)
			return
		}
		respond(w, http.StatusOK, newOutboxJSON(out))
	})
}

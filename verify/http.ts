// The verifier's HTTP client lives in common/http.ts: the load run and its integrity audit use the
// same one, so credentials are bound to the target's origin in one place (issue 11).
export * from '../common/http.ts';

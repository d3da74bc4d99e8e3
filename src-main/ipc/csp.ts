// One Content-Security-Policy for both shells: scripts and styles only from the app itself,
// no eval, no remote content; the browser shell's socket goes back to its own origin only.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // The audio project's join preview: a WAV main decoded, handed to <audio> as a blob: URL the page made itself.
  "media-src blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

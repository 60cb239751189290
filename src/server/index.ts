// The server layer: localtune's OpenAI-compatible HTTP API over the prompt layer's generators, and the local web UI's
// server. It sits above the public API (src/index.ts), so it is its own entry of the package, "localtune/server".
export { startUiServer, type UiServer, type UiServerOptions } from "./ui-server.js";
export { SERVER_LIMITS, startServer, type ServeOptions, type RunningServer, type ServerStats } from "./server.js";
export { HttpError } from "./http.js";

// The server layer: localtune's OpenAI-compatible HTTP API over the prompt layer's generators.
export { SERVER_LIMITS, startServer, type ServeOptions, type RunningServer, type ServerStats } from "./server.js";
export { HttpError } from "./http.js";

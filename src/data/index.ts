// The data layer's public API: dataset preparation, statistics, and the on-disk formats other layers read.
export * from "./schema.js";
export { prepareDataset, type PrepareHooks, type PrepareProgress, type PrepareResult } from "./prepare.js";
export { PrepareOptionsSchema, type PrepareOptions } from "./options.js";
export { readDatasetStats, formatDatasetStats, type DatasetSummary } from "./stats.js";
export { readTokenCache, type CachedSplit, type CacheIndexEntry } from "./cache.js";
export type { DatasetStats, Manifest, Guidance } from "./manifest.js";
export { renderChat, chatWrapperFor, type RenderedChat } from "./chat-render.js";

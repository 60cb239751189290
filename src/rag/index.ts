// The RAG layer's public API: index documents, search them, answer with citations, evaluate retrieval.
export { ANALYZERS, analyze, type AnalyzerName } from "./analyzer.js";
export { RagIndexOptionsSchema, RagSearchOptionsSchema, type RagIndexOptions, type RagSearchOptions } from "./config.js";
export { indexRag, type RagIndexReport, type RagIndexProgress } from "./indexer.js";
export { searchRag, RagRetriever, type RagHit, type RagSearchResult, type RetrievalMode } from "./retriever.js";
export { askRag, buildRagPrompt, RagAskOptionsSchema, fitSources, citedNumbers, type RagPrompt, type RagAskOptions, type RagAnswer, type RagSource } from "./answer.js";
export { evalRag, readQaFile, citationMatches, RagQaItemSchema, type RagEvalResult, type RagQaItem } from "./eval.js";
export { markdownToRecords } from "./markdown-sections.js";
export { reciprocalRankFusion } from "./fusion.js";

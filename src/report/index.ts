// The report layer's public functions: validate method results and write report.md and a self-contained report.html.
export * from "./schema.js";
export { renderReportMarkdown, reportTableMarkdown } from "./markdown.js";
export { renderReportHtml } from "./html.js";
export { writeReport, type WrittenReport } from "./write.js";

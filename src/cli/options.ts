// Option value parsers shared by commands: each rejects bad values with a message naming the option and the value.
// The methods declare their own flags with the same parsers, so these live in methods/ (below cli/).
export { finiteNumber, positiveInt } from "../methods/option-values.js";

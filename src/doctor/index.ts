// The hardware check and feasibility planner: public API of src/doctor.
export { runDoctor, ensureCalibration, DEFAULT_PLAN_TOKENS, type DoctorOptions, type DoctorReport } from "./doctor.js";
export { formatDoctorReport, formatVerify } from "./format.js";
export { runVerify, relativeError, VERIFY_CONFIGS, type VerifyConfig, type VerifyResult } from "./verify.js";
export { detectHardware, type HardwareReport, type GpuInfo } from "./detect.js";
export { planRungs, formatDuration, type Plan, type RungPlan } from "./plan.js";
export { estimateRungs, rungIds, DEFAULT_RUNG_OPTIONS, type RungId, type RungEstimate, type RungOptions } from "./rungs.js";
export { KNOWN_MODEL_SHAPES, countParams, type ModelShape } from "./model-shape.js";
export { readGgufModelShape } from "./gguf-shape.js";
export {
  calibrate,
  calibrationCases,
  calibrationCacheDir,
  estimateStepSeconds,
  fitCalibration,
  loadCalibration,
  machineKey,
  type CalibrationCase,
  type CalibrationMeasurement,
  type CalibrationFile,
} from "./calibration.js";
export { queryNvidiaSmi, parseNvidiaSmiCsv, parseNvidiaSmiHeader, type NvidiaSmiReport, type NvidiaGpu } from "./nvidia-smi.js";

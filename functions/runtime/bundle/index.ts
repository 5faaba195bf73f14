export type { BundleOptions, FunctionBundle } from "./bundle.js";
export { BundleError, bundleFunction, LAMBDA_PROVIDED_MODULES } from "./bundle.js";
export { deterministicZip } from "./zip.js";

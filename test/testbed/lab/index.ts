// The multi-node lab (3 managers and a worker, scripts/lab.sh) as test files use it.
export { useLab, nodeHost, LabHandle } from './suite.js'
export { startLab, stopLab, readLab, removeStaleLabs, TEST_LAB_NAME, type Lab, type LabNode, type StartOptions } from './lab.js'

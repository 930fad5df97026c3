export {
  assertNativeBackend,
  loadTensorFlow,
  nativeBindingPath,
  TENSORFLOW_SETUP_COMMAND,
  type TensorFlow,
} from './backend.js';

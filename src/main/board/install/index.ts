export { installFile, remoteFileInfo, readRemoteFile, escapeBytes, splitEscaped, sha256Hex, pyStr, type InstallFileOptions, type InstallResult } from './installFile';
export { installHelper, helperSourcePath, readHelperSource, HELPER_FILE, HELPER_MODULE, type HelperPlacement, type InstallHelperOptions } from './installHelper';

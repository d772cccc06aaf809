import os from 'node:os';

/** The OS user name for audit rows; userInfo() throws where the uid has no passwd entry (some containers). */
export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid:${String(process.getuid?.() ?? 'unknown')}`;
  }
}

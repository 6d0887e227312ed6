// A small leveled logger writing one line per event to stderr; URLs are stripped of credentials before logging.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

/** Removes `user:password@` from URLs so secrets in connection strings never reach a log. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@');
}

export function createLogger(level: LogLevel = 'info', scope = 'gateway', write = (line: string) => process.stderr.write(line)): Logger {
  const min = ORDER[level];
  const logger: Logger = {
    log(lvl, msg, fields) {
      if (ORDER[lvl] < min) return;
      const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
      write(redact(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${scope}] ${msg}${extra}`) + '\n');
    },
    debug: (m, f) => logger.log('debug', m, f),
    info: (m, f) => logger.log('info', m, f),
    warn: (m, f) => logger.log('warn', m, f),
    error: (m, f) => logger.log('error', m, f),
    child: (s) => createLogger(level, s, write),
  };
  return logger;
}

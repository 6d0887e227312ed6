// Errors with stable codes for the infrastructure launchers: callers branch on `code`, never on message text.

export type InfraErrorCode =
  /** a system package or jar is missing: run scripts/install-deps.sh */
  | 'INFRA_NOT_INSTALLED'
  /** the service did not become ready before its deadline */
  | 'INFRA_START_TIMEOUT'
  /** the service's process exited while we were waiting for it */
  | 'INFRA_EXITED'
  /** a helper command (e.g. Kafka's TopicCommand) failed */
  | 'INFRA_COMMAND_FAILED'
  /** the handle was already closed */
  | 'INFRA_CLOSED';

export class InfraError extends Error {
  readonly code: InfraErrorCode;
  constructor(code: InfraErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfraError';
    this.code = code;
  }
}

/** True when a child failed only because the port we picked was taken between picking and binding. */
export function isPortClash(err: unknown): boolean {
  return (
    err instanceof InfraError &&
    err.code === 'INFRA_EXITED' &&
    /address already in use|BindException|bind\(\) to .* failed|Could not create server TCP listening socket/i.test(
      err.message,
    )
  );
}

/**
 * Longest DNS lookup + TCP/TLS connect (and, through a proxy, the wait for its CONNECT answer):
 * Node's fetch allows 10 s. Without it the pool's 4 s idle timeout (agents.ts), which Node applies
 * to a socket from its creation, would cut a slow connect.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * The code Node's fetch gives a connect timeout; zenml/retry.ts counts it as "never reached the
 * server", so a creating POST may be sent again.
 */
export const CONNECT_TIMEOUT_CODE = 'UND_ERR_CONNECT_TIMEOUT';

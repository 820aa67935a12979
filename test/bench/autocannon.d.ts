// The part of autocannon's programmatic API the BFF benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }
  export interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    /** Requests per second over all connections (default: as fast as the server answers). */
    overallRate?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: (AutocannonRequest & {
      /** `context`: one object per connection, kept across its requests. */
      setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
    })[];
  }
  /** Resolves to the run's aggregated result (the caller parses it). */
  // eslint-disable-next-line no-restricted-syntax -- describes the package's CommonJS export
  export default function autocannon(options: AutocannonOptions): Promise<unknown>;
}

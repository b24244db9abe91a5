import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the shared MariaDB that a test can take down and bring back: what a server
 * sees when its database stops and restarts, without stopping the machine's database.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** When each connection attempt arrived while the proxy refused them (`refuse()`). */
  readonly refusedAt: number[] = [];

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async up(): Promise<void> {
    if (this.server) await this.down();
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /**
   * Like a database that is down, but countable: open connections drop, and every new one is
   * accepted and cut at once (its time noted in `refusedAt`).
   */
  async refuse(): Promise<void> {
    await this.down();
    const server = createServer((client) => {
      this.refusedAt.push(Date.now());
      client.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Like a stopped database: open connections drop, new ones are refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

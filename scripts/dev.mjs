#!/usr/bin/env node
// `npm run dev`: the API in watch mode (tsx) and the Vite dev server on :3000 with hot reload,
// which proxies /graphql (HTTP and WebSocket) to the API. Ctrl-C stops both; if one dies, so does the other.
import { spawn } from 'node:child_process';

const apiPort = process.env.PORT ?? '5000';
const children = [];
let stopping = false;

function start(name, colour, args, env) {
  const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
    env: { ...process.env, FORCE_COLOR: '1', ...env },
    stdio: ['inherit', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${colour}m${name.padEnd(3)}\x1b[0m │ `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${prefix}exited (${signal ?? code})\n`);
    stop(code ?? 1);
  });
  children.push(child);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // Give the API its graceful shutdown, then leave.
  setTimeout(() => process.exit(code), 5_000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

start('api', '35', ['run', 'dev', '-w', 'api'], { PORT: apiPort, FRONTEND_URL: process.env.FRONTEND_URL ?? 'http://localhost:3000' });
start('web', '36', ['run', 'dev', '-w', 'web'], { API_URL: process.env.API_URL ?? `http://127.0.0.1:${apiPort}` });

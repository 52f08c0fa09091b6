// `npm start`'s world as a newcomer meets it: it starts and prints what to do, a second start
// reuses the data, --reset starts clean, and Ctrl-C stops everything with nothing left running
// or half-written.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { findFreePort } from '@opentab/test-kit';
import {
  demoAccountOf as accountOf,
  interruptDemoWorld as interrupt,
  startDemoWorld as startWorld,
} from '../testing/demo-process';

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const loginOf = (output: string) => {
  const found = /log in as (\S+) with password (\S+),/.exec(output);
  return found === null ? undefined : { name: found[1]!, password: found[2]! };
};

test('npm start: starts, reuses its data, resets on request, and stops cleanly on Ctrl-C', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'opentab-demo-start-')), 'demo');
  const ports = [await findFreePort(), await findFreePort(), await findFreePort()];

  const first = await startWorld(dir, ports);
  const account = accountOf(first.output());
  expect(account).toBeDefined();
  expect(first.output()).toMatch(/Enrolment code: [A-Z2-9]{4}(-[A-Z2-9]{4}){3}/);
  expect(first.output()).toContain(`http://127.0.0.1:${ports[2]}/`);
  expect(first.output()).toMatch(/op-eu\s+merchant\.registered\s+merchant=demo-news/);
  // Each operator's console and the token that logs in to it: the token opens the admin API.
  const consoleLine = first.output().match(/op-eu: (http:\/\/127\.0\.0\.1:\d+)\/console {3}token (\S+)/);
  expect(consoleLine?.[1]).toBe(`http://127.0.0.1:${ports[1]}`);
  const figures = await fetch(`${consoleLine?.[1]}/v1/admin/figures`, {
    headers: { authorization: `Bearer ${consoleLine?.[2]}` },
  });
  expect(figures.status).toBe(200);
  // And the staff login it prints: a session cookie from the name and password.
  const login = loginOf(first.output());
  expect(login?.name).toBe('demo');
  const session = await fetch(`${consoleLine?.[1]}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  expect(session.status).toBe(200);
  expect(session.headers.get('set-cookie')).toMatch(/^opentab_staff=.+; HttpOnly; SameSite=Strict/);
  expect((await fetch(`http://127.0.0.1:${ports[2]}/`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${ports[0]}/healthz`)).status).toBe(200);
  // The demo's rates are the ECB's of 28 June 2024, labelled as samples, never as current ones.
  expect(first.output()).toContain('Exchange rates: Sample ECB rate from 28 Jun 2024 (old rates, served as samples');
  const table = await (await fetch(`http://127.0.0.1:${ports[0]}/v1/rates`)).json();
  expect(table.payload.source).toEqual({ publisher: 'ecb', publishedOn: '2024-06-28', sample: true });
  expect(await interrupt(first)).toBe(0);
  expect(first.output()).toContain('operator.stopped');
  for (const port of ports) expect(await portIsClosed(port)).toBe(true);
  // Nothing half-written: both operators' stores pass SQLite's own integrity check.
  for (const operatorId of ['op-se', 'op-eu']) {
    const db = new Database(join(dir, operatorId, 'data', 'operator.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }

  // As a world made before the demo named its rate source left its operators: to the default.
  for (const operatorId of ['op-se', 'op-eu']) {
    const configPath = join(dir, operatorId, 'operator.json');
    const { rates: _rates, ...config } = JSON.parse(readFileSync(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify(config));
  }

  const second = await startWorld(dir, ports);
  expect(accountOf(second.output())).toBe(account);
  expect(second.output()).toContain('Exchange rates: Sample ECB rate from 28 Jun 2024');
  expect(second.output()).toContain('(reused from an earlier start)');
  expect(loginOf(second.output())).toEqual(login);
  expect(await interrupt(second)).toBe(0);

  const third = await startWorld(dir, ports, '--reset');
  expect(accountOf(third.output())).not.toBe(account);
  expect(third.output()).not.toContain('reused');
  expect(await interrupt(third)).toBe(0);
});

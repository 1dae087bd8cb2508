import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decidePing, watchdogSettings, WatchdogSettingsError } from '../../src/box/watchdog-settings.js';

test('WATCHDOG_USEC sets a ping every half timeout, a lag limit of one interval, samples at a quarter', () => {
  assert.equal(watchdogSettings({ WATCHDOG_USEC: '10000000' }, 42), { pingEveryMs: 5000, lagLimitMs: 5000, sampleEveryMs: 1250 });
});

test('no watchdog when WATCHDOG_USEC is absent or WATCHDOG_PID names another process', () => {
  assert.is(watchdogSettings({}, 42), undefined);
  assert.is(watchdogSettings({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '7' }, 42), undefined);
  assert.ok(watchdogSettings({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42));
});

test('a malformed WATCHDOG_USEC is an error naming the variable and the value', () => {
  for (const bad of ['ten', '-5', '1.5', '1000']) {
    assert.throws(() => watchdogSettings({ WATCHDOG_USEC: bad }, 1), (e: unknown) => e instanceof WatchdogSettingsError && e.message.includes('WATCHDOG_USEC') && e.message.includes(`'${bad}'`));
  }
});

test('decidePing: lag first, then health', () => {
  assert.is(decidePing(true, 10, 100), 'ping');
  assert.is(decidePing(true, 100, 100), 'skip-lag');
  assert.is(decidePing(false, 100, 100), 'skip-lag');
  assert.is(decidePing(false, 0, 100), 'skip-unhealthy');
});

test.run();

// The duplicate-key check of secret JSON files: JSON.parse keeps the last of
// two equal keys silently; this scanner finds them, wherever they sit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findDuplicateJsonKey } from '../../src/keys/json-duplicate-key.js';

test('one object naming a key twice is found, with the line of the second', () => {
  assert.equal(findDuplicateJsonKey('{\n "senderId": "01",\n "recipientId": "02",\n "senderId": "03"\n}'), { key: 'senderId', line: 4 });
});

test('keys that are equal only once decoded are the same key', () => {
  assert.equal(findDuplicateJsonKey('{"ab": 1, "a\\u0062": 2}')?.key, 'ab');
});

test('the same key in two different objects is no duplicate; nested duplicates are found', () => {
  assert.is(findDuplicateJsonKey('{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}'), undefined);
  assert.equal(findDuplicateJsonKey('{"a": [1, {"x": 1, "y": {"z": 0}, "x": 2}]}')?.key, 'x');
});

test('values that look like keys, braces and quotes inside strings are not keys', () => {
  assert.is(findDuplicateJsonKey('{"a": "a", "b": ["a", "a"], "c": "{\\"d\\": 1, \\"d\\": 2}"}'), undefined);
  assert.is(findDuplicateJsonKey('{"a": "\\\\", "b": "\\\\\\""}'), undefined);
  assert.equal(findDuplicateJsonKey('{"a": "\\\\", "a": 1}')?.key, 'a');
});

test('a key after a closed nested object is still checked against its own object', () => {
  assert.equal(findDuplicateJsonKey('{"a": {"b": 1}, "a": 2}')?.key, 'a');
  assert.is(findDuplicateJsonKey('[{"a": 1}, {"a": 2}]'), undefined);
  assert.is(findDuplicateJsonKey('"just a string"'), undefined);
});

test.run();

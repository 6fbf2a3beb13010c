import { describe, expect, it } from 'vitest';
import { looksLikePhone, normalizeEmail, normalizeIdentifier, normalizePhoneNumber } from '../../src/users/normalize.js';

describe('normalizeEmail', () => {
  it.each([
    ['jane@example.com', 'jane@example.com'],
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['\tJANE+tag@Sub.Example.org\n', 'jane+tag@sub.example.org'],
  ])('trims and lower-cases %j to %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });

  it.each(['', '   ', 'jane', 'jane@', '@example.com', 'jane@example', 'jane doe@example.com', 'jane@@example.com', '<jane@example.com>', 'a@b.c,d@e.f'])(
    'returns "" for %j, which is not an email address',
    (input) => {
      expect(normalizeEmail(input)).toBe('');
    },
  );

  it('refuses addresses longer than 254 characters', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(190)}.com`;
    expect(normalizeEmail(`${local}@${domain}`)).toBe('');
    expect(normalizeEmail(`${local}@${'b'.repeat(20)}.com`)).toBe(`${local}@${'b'.repeat(20)}.com`);
  });
});

describe('normalizePhoneNumber', () => {
  it.each([
    ['+15551234567', undefined],
    ['+1 (555) 123-4567', undefined],
    ['  +1 555 123 4567  ', undefined],
    ['+1.555.123.4567', undefined],
    ['5551234567', 'US'],
    ['(555) 123-4567', 'US'],
    ['+15551234567', 'GB'],
  ] as const)('turns %j (default country %s) into E.164 +15551234567', (input, country) => {
    expect(normalizePhoneNumber(input, country)).toBe('+15551234567');
  });

  it('uses the default country for national numbers', () => {
    expect(normalizePhoneNumber('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizePhoneNumber('+44 20 7946 0958')).toBe('+442079460958');
  });

  it('accepts fictional (possible but not valid) numbers such as +1 555 …', () => {
    expect(normalizePhoneNumber('+15550000000')).toBe('+15550000000');
  });

  it.each([
    ['', undefined],
    ['   ', undefined],
    ['hello', undefined],
    ['jane@example.com', undefined],
    ['+1555123456x', undefined],
    ['555-CALL-NOW', 'US'],
    ['5551234567', undefined],
    ['+1 555', undefined],
    ['+1555123456789012345', undefined],
    ['12', 'US'],
  ] as const)('returns "" for junk %j (default country %s)', (input, country) => {
    expect(normalizePhoneNumber(input, country)).toBe('');
  });
});

describe('normalizeIdentifier', () => {
  it('normalises by the connection strategy', () => {
    expect(normalizeIdentifier('email', ' Jane@Example.com ')).toBe('jane@example.com');
    expect(normalizeIdentifier('sms', '+1 (555) 123-4567')).toBe('+15551234567');
    expect(normalizeIdentifier('sms', '5551234567', 'US')).toBe('+15551234567');
  });

  it('does not accept an email on an sms connection or a phone number on an email connection', () => {
    expect(normalizeIdentifier('sms', 'jane@example.com')).toBe('');
    expect(normalizeIdentifier('email', '+15551234567')).toBe('');
  });
});

describe('looksLikePhone', () => {
  it.each(['+15551234567', '+1 (555) 123-4567', ' 555 123 4567 '])('treats %j as a phone number', (input) => {
    expect(looksLikePhone(input)).toBe(true);
  });
  it.each(['jane@example.com', 'jane', '12', ''])('does not treat %j as a phone number', (input) => {
    expect(looksLikePhone(input)).toBe(false);
  });
});

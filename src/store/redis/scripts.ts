/** The Lua scripts of the Redis store: each single-use or compare-and-set step runs as one atomic script. */
// Lua: every script gets its keys in KEYS and the clock's now where it compares expiry.
export const LUA = {
  /** KEYS[1] hash; ARGV[1] now, ARGV[2] new TTL ('' keeps it), ARGV[3..] field/value. Nil when missing or expired. */
  patchLive: `
    local exp = redis.call('HGET', KEYS[1], 'expiresAt')
    if not exp or tonumber(exp) <= tonumber(ARGV[1]) then return nil end
    for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
    return redis.call('HGETALL', KEYS[1])`,
  finishTransaction: `
    local exp = redis.call('HGET', KEYS[1], 'expiresAt')
    if not exp or tonumber(exp) <= tonumber(ARGV[1]) then return nil end
    local authenticated = redis.call('HGET', KEYS[1], 'authenticated')
    if not authenticated or authenticated == 'u' then return nil end
    local all = redis.call('HGETALL', KEYS[1])
    redis.call('DEL', KEYS[1])
    return all`,
  recordOtpAttempt: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
    redis.call('HINCRBY', KEYS[1], 'attempts', 1)
    return redis.call('HGETALL', KEYS[1])`,
  /** ARGV[1] the challenge id as JSON. */
  markOtpExhausted: `
    if redis.call('HGET', KEYS[1], 'id') == ARGV[1] then redis.call('HSET', KEYS[1], 'exhausted', 'true') end
    return 1`,
  consumeOtp: `
    if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'exhausted') == 'true' then return 0 end
    redis.call('DEL', KEYS[1])
    return 1`,
  /** KEYS: index, user, users zset, seq, user's index set, alias indexes...; ARGV: user id, user key prefix, alias count, field/value... */
  insertUser: `
    local existing = redis.call('GET', KEYS[1])
    if existing then
      local found = redis.call('HGETALL', ARGV[2] .. existing)
      if #found > 0 then return found end
    end
    if redis.call('EXISTS', KEYS[2]) == 1 then return redis.call('HGETALL', KEYS[2]) end
    for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('SADD', KEYS[5], KEYS[1])
    for i = 6, 5 + tonumber(ARGV[3]) do
      if redis.call('SET', KEYS[i], ARGV[1], 'NX') then redis.call('SADD', KEYS[5], KEYS[i]) end
    end
    redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[1])
    return redis.call('HGETALL', KEYS[2])`,
  /** KEYS: user, user's index set; ARGV: user id, index key prefix, new email or '', new phone or '', field/value... */
  updateUser: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
    local connection = cjson.decode(redis.call('HGET', KEYS[1], 'connection'))
    local fields = { 'email', 'phone_number' }
    for n, field in ipairs(fields) do
      local after = ARGV[2 + n]
      local stored = redis.call('HGET', KEYS[1], field)
      if after ~= '' and stored and stored ~= 'u' then
        local before = cjson.decode(stored)
        if type(before) == 'string' and before ~= '' and before ~= after then
          local old = ARGV[2] .. connection .. '\\0' .. before
          if redis.call('GET', old) == ARGV[1] then
            local new = ARGV[2] .. connection .. '\\0' .. after
            redis.call('DEL', old)
            redis.call('SREM', KEYS[2], old)
            redis.call('SET', new, ARGV[1])
            redis.call('SADD', KEYS[2], new)
          end
        end
      end
    end
    for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    return redis.call('HGETALL', KEYS[1])`,
  /**
   * KEYS: user, users zset, index set, session set, token set, passkey zset, all passkeys zset, role zset, permission zset,
   * MFA enrolment zset, all MFA enrolments zset, remembered-browser revocation;
   * ARGV: user id, session/token/passkey key prefixes, role users zset prefix, MFA enrolment key prefix.
   */
  deleteUser: `
    if redis.call('DEL', KEYS[1]) == 0 then return 0 end
    redis.call('ZREM', KEYS[2], ARGV[1])
    for _, key in ipairs(redis.call('SMEMBERS', KEYS[3])) do
      if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
    end
    for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do redis.call('DEL', ARGV[2] .. id) end
    for _, hash in ipairs(redis.call('SMEMBERS', KEYS[5])) do redis.call('DEL', ARGV[3] .. hash) end
    for _, id in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
      redis.call('DEL', ARGV[4] .. id)
      redis.call('ZREM', KEYS[7], id)
    end
    for _, role in ipairs(redis.call('ZRANGE', KEYS[8], 0, -1)) do redis.call('ZREM', ARGV[5] .. role, ARGV[1]) end
    for _, id in ipairs(redis.call('ZRANGE', KEYS[10], 0, -1)) do
      redis.call('DEL', ARGV[6] .. id)
      redis.call('ZREM', KEYS[11], id)
    end
    redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[8], KEYS[9], KEYS[10], KEYS[12])
    return 1`,
  /** KEYS: session; ARGV: user session set prefix. */
  deleteSession: `
    local user = redis.call('HGET', KEYS[1], 'userId')
    redis.call('DEL', KEYS[1])
    if user then redis.call('SREM', ARGV[1] .. cjson.decode(user), ARGV[2]) end
    return 1`,
  /**
   * A record kept as a hash and indexed twice, in creation order: in a zset of all of them and in its
   * user's zset (passkeys, MFA enrolments). KEYS: record, all-records zset, seq; ARGV: id, user zset
   * prefix, user id (raw), field/value... 0 when the id exists already.
   */
  saveUserIndexed: `
    if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
    for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    local seq = redis.call('INCR', KEYS[3])
    redis.call('ZADD', KEYS[2], seq, ARGV[1])
    redis.call('ZADD', ARGV[2] .. ARGV[3], seq, ARGV[1])
    return 1`,
  updatePasskeyCounter: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    redis.call('HSET', KEYS[1], 'counter', ARGV[1], 'lastUsedAt', ARGV[2])
    return 1`,
  /** Deletes a record saveUserIndexed saved, with both its index entries. KEYS: record, all-records zset; ARGV: id, user zset prefix. */
  deleteUserIndexed: `
    local user = redis.call('HGET', KEYS[1], 'userId')
    if not user then return 0 end
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('ZREM', ARGV[2] .. cjson.decode(user), ARGV[1])
    return 1`,
  /** KEYS: enrolment; ARGV: user id as JSON, field/value... Replaces every field (an absent one goes); 0 unless the same user's enrolment exists. */
  replaceMfaEnrolment: `
    if redis.call('HGET', KEYS[1], 'userId') ~= ARGV[1] then return 0 end
    redis.call('DEL', KEYS[1])
    for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    return 1`,
  /** ARGV[1] now. Returns the token as it was; sets rotatedAt only the first time. */
  markRotated: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
    local before = redis.call('HGETALL', KEYS[1])
    local rotated = redis.call('HGET', KEYS[1], 'rotatedAt')
    if not rotated or rotated == 'u' then redis.call('HSET', KEYS[1], 'rotatedAt', ARGV[1]) end
    return before`,
  /** ARGV: new idle end, now, no-TTL-beyond. */
  touchToken: `
    if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
    redis.call('HSET', KEYS[1], 'idleExpiresAt', ARGV[1])
    local ends = math.min(tonumber(redis.call('HGET', KEYS[1], 'expiresAt')), tonumber(ARGV[1]))
    local ttl = ends - tonumber(ARGV[2])
    if ttl > tonumber(ARGV[3]) then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], string.format('%d', math.max(1, ttl))) end
    return 1`,
  /** KEYS: family set; ARGV: token key prefix. */
  revokeFamily: `
    for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[1] .. hash) end
    redis.call('DEL', KEYS[1])
    return 1`,
  /** KEYS: user's token set; ARGV: token key prefix, client id as JSON or '' for all. */
  revokeTokensOf: `
    for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
      local key = ARGV[1] .. hash
      local client = redis.call('HGET', key, 'clientId')
      if not client then
        redis.call('SREM', KEYS[1], hash)
      elseif ARGV[2] == '' or client == ARGV[2] then
        redis.call('DEL', key)
        redis.call('SREM', KEYS[1], hash)
      end
    end
    return 1`,
  /** KEYS: header list, message hash; ARGV: id, header, JSON, max, channel. Newest first; the oldest go past max. */
  appendMessage: `
    redis.call('LPUSH', KEYS[1], ARGV[2])
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
    while redis.call('LLEN', KEYS[1]) > tonumber(ARGV[4]) do
      local old = redis.call('RPOP', KEYS[1])
      redis.call('HDEL', KEYS[2], string.match(old, '^[^\\t]*'))
    end
    redis.call('PUBLISH', ARGV[5], ARGV[3])
    return 1`,
  /** KEYS: fault list; ARGV: recipient, channel. As DeliveryFaults.take: the first match, counted down. */
  takeFault: `
    local faults = redis.call('LRANGE', KEYS[1], 0, -1)
    for i, raw in ipairs(faults) do
      local fault = cjson.decode(raw)
      if fault.to == ARGV[1] and (fault.channel == nil or fault.channel == cjson.null or fault.channel == ARGV[2]) then
        fault.remaining = fault.remaining - 1
        local out = cjson.encode(fault)
        if fault.remaining <= 0 then redis.call('LREM', KEYS[1], 1, raw) else redis.call('LSET', KEYS[1], i - 1, out) end
        return out
      end
    end
    return nil`,
};

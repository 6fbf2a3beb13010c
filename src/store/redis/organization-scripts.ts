/**
 * The Lua scripts of the Redis store's organizations (./organizations.ts): each step that checks
 * before it writes runs as one script, so replicas never see half an organization. Records are JSON
 * strings; the name index is a string per name; members, each user's organizations and member roles
 * are sorted sets scored by the store's sequence (insertion order).
 */
export const ORGANIZATION_LUA = {
  /** KEYS: organization, name index, organizations zset, seq; ARGV: id, JSON. 'name_taken' or 'ok'. */
  create: `
    if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 'name_taken' end
    redis.call('SET', KEYS[1], ARGV[2])
    redis.call('SET', KEYS[2], ARGV[1])
    redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[1])
    return 'ok'`,
  /** KEYS: organization; ARGV: id, new name, JSON, name index prefix. Nil when unknown, 'name_taken', or 'ok'. */
  update: `
    local stored = redis.call('GET', KEYS[1])
    if not stored then return nil end
    local old = cjson.decode(stored).name
    if ARGV[2] ~= old then
      local holder = redis.call('GET', ARGV[4] .. ARGV[2])
      if holder and holder ~= ARGV[1] then return 'name_taken' end
      if redis.call('GET', ARGV[4] .. old) == ARGV[1] then redis.call('DEL', ARGV[4] .. old) end
      redis.call('SET', ARGV[4] .. ARGV[2], ARGV[1])
    end
    redis.call('SET', KEYS[1], ARGV[3])
    return 'ok'`,
  /** KEYS: organization, organizations zset, members, role holders, invitations zset; ARGV: id, name index prefix, user organizations prefix, member roles prefix, invitation key prefix. */
  delete: `
    local stored = redis.call('GET', KEYS[1])
    if not stored then return 0 end
    local name = ARGV[2] .. cjson.decode(stored).name
    if redis.call('GET', name) == ARGV[1] then redis.call('DEL', name) end
    redis.call('ZREM', KEYS[2], ARGV[1])
    for _, user in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do redis.call('ZREM', ARGV[3] .. user, ARGV[1]) end
    for _, user in ipairs(redis.call('SMEMBERS', KEYS[4])) do redis.call('DEL', ARGV[4] .. ARGV[1] .. '\\0' .. user) end
    for _, ticket in ipairs(redis.call('ZRANGE', KEYS[5], 0, -1)) do redis.call('DEL', ARGV[5] .. ticket) end
    redis.call('DEL', KEYS[1], KEYS[3], KEYS[4], KEYS[5])
    return 1`,
  /** KEYS: invitation, organization's invitations; ARGV: ticket id. The JSON, removed, or nil. */
  takeInvitation: `
    local stored = redis.call('GET', KEYS[1])
    if not stored then return nil end
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    return stored`,
  /** KEYS: members, seq; ARGV: organization id, user organizations prefix, user ids... */
  addMembers: `
    for i = 3, #ARGV do
      local user = ARGV[i]
      if not redis.call('ZSCORE', KEYS[1], user) then redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), user) end
      local joined = ARGV[2] .. user
      if not redis.call('ZSCORE', joined, ARGV[1]) then redis.call('ZADD', joined, redis.call('INCR', KEYS[2]), ARGV[1]) end
    end
    return 1`,
  /** KEYS: members, role holders; ARGV: organization id, user organizations prefix, member roles prefix, user ids... */
  removeMembers: `
    for i = 4, #ARGV do
      local user = ARGV[i]
      redis.call('ZREM', KEYS[1], user)
      redis.call('ZREM', ARGV[2] .. user, ARGV[1])
      redis.call('DEL', ARGV[3] .. ARGV[1] .. '\\0' .. user)
      redis.call('SREM', KEYS[2], user)
    end
    return 1`,
  /** KEYS: member roles, seq, role holders; ARGV: user id, role ids... */
  assignRoles: `
    for i = 2, #ARGV do
      if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[i]) end
    end
    redis.call('SADD', KEYS[3], ARGV[1])
    return 1`,
};

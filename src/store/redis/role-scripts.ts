/**
 * The Lua scripts of the Redis store's RBAC (./roles.ts): each step that checks a role before it
 * writes runs as one script, so replicas never see half a role. Role names are index strings under
 * a prefix; permissions and members are sorted sets scored by the store's sequence (insertion order).
 */
export const ROLE_LUA = {
  /** KEYS: name index, role, roles set; ARGV: id, role key prefix, field/value... Returns {created (0|1), role hash}. */
  createRole: `
    local existing = redis.call('GET', KEYS[1])
    if existing then
      local found = redis.call('HGETALL', ARGV[2] .. existing)
      if #found > 0 then return { 0, found } end
    end
    if redis.call('EXISTS', KEYS[2]) == 1 then return { 0, redis.call('HGETALL', KEYS[2]) } end
    for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('SADD', KEYS[3], ARGV[1])
    return { 1, redis.call('HGETALL', KEYS[2]) }`,
  /** KEYS: role; ARGV: id, name index prefix, new name or '', field/value... Nil when unknown, 'name_taken', or the role. */
  updateRole: `
    local stored = redis.call('HGET', KEYS[1], 'name')
    if not stored then return nil end
    local old = cjson.decode(stored)
    if ARGV[3] ~= '' and ARGV[3] ~= old then
      local holder = redis.call('GET', ARGV[2] .. ARGV[3])
      if holder and holder ~= ARGV[1] then return 'name_taken' end
      if redis.call('GET', ARGV[2] .. old) == ARGV[1] then redis.call('DEL', ARGV[2] .. old) end
      redis.call('SET', ARGV[2] .. ARGV[3], ARGV[1])
    end
    for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    return redis.call('HGETALL', KEYS[1])`,
  /** KEYS: role, roles set, role permissions, role users; ARGV: id, name index prefix, user roles prefix. */
  deleteRole: `
    local stored = redis.call('HGET', KEYS[1], 'name')
    if not stored then return 0 end
    local name = ARGV[2] .. cjson.decode(stored)
    if redis.call('GET', name) == ARGV[1] then redis.call('DEL', name) end
    redis.call('SREM', KEYS[2], ARGV[1])
    for _, user in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do redis.call('ZREM', ARGV[3] .. user, ARGV[1]) end
    redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
    return 1`,
  /** KEYS: zset, seq, and a key that must exist ('' to skip the check); ARGV: members. Adds the new ones; 0 when the key is missing. */
  addMembers: `
    if KEYS[3] ~= '' and redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
    for _, member in ipairs(ARGV) do
      if not redis.call('ZSCORE', KEYS[1], member) then redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), member) end
    end
    return 1`,
  /** KEYS: zset, and a key that must exist ('' to skip the check); ARGV: members. 0 when the key is missing. */
  removeMembers: `
    if KEYS[2] ~= '' and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
    for _, member in ipairs(ARGV) do redis.call('ZREM', KEYS[1], member) end
    return 1`,
  /** KEYS: user roles, seq; ARGV: user id, role key prefix, role users prefix, role ids... Skips roles that do not exist. */
  assignRoles: `
    for i = 4, #ARGV do
      local role = ARGV[i]
      if redis.call('EXISTS', ARGV[2] .. role) == 1 and not redis.call('ZSCORE', KEYS[1], role) then
        local seq = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[1], seq, role)
        redis.call('ZADD', ARGV[3] .. role, seq, ARGV[1])
      end
    end
    return 1`,
  /** KEYS: user roles; ARGV: user id, role users prefix, role ids... */
  unassignRoles: `
    for i = 3, #ARGV do
      redis.call('ZREM', KEYS[1], ARGV[i])
      redis.call('ZREM', ARGV[2] .. ARGV[i], ARGV[1])
    end
    return 1`,
};

namespace FastBucket.Redis;

/// <summary>
/// The one Lua script every quota operation runs: all six rate dimensions of a quota are checked and charged
/// together, in one round trip, atomically (Redis runs a script to completion before any other command).
/// </summary>
/// <remarks>
/// <para>Each rate dimension is a GCRA cell: its theoretical arrival time (TAT, microseconds of server time) is a
/// field <c>t0</c>..<c>t5</c> of the quota's hash. With emission interval <c>T = window / limit</c> and burst
/// <c>capacity</c>, the level is <c>capacity − (max(TAT, now) − now) / T</c>; taking <c>n</c> moves the TAT by
/// <c>n·T</c>, and is allowed when the new TAT is at most <c>capacity·T</c> ahead of now. A refund moves it back (never
/// before now: a bucket is never fuller than its capacity); a debt moves it forward without the check.</para>
/// <para>Other fields: <c>l0</c>..<c>l5</c> limits learned from a provider (they override the configured ones for
/// every process), <c>hold</c> (no grant before this server time, after a 429), <c>exh</c>/<c>exhc</c> (a
/// non-retryable exhaustion until then, and its code). In-flight requests are leases in a sorted set (score: lease
/// expiry) under the same hash tag. The hash expires when every bucket would be full again, plus a margin.</para>
/// </remarks>
internal static class RedisQuotaScript
{
    /// <summary>Operation codes (ARGV[1]).</summary>
    internal const string Reserve = "r";

    /// <inheritdoc cref="Reserve"/>
    internal const string AdjustAndRelease = "a";

    /// <inheritdoc cref="Reserve"/>
    internal const string Peek = "p";

    /// <inheritdoc cref="Reserve"/>
    internal const string ObserveSignals = "o";

    /// <summary>Reply status: granted.</summary>
    internal const long Granted = 1;

    /// <summary>Reply status: refused; the reply's wait says when every dimension has room.</summary>
    internal const long Refused = 0;

    /// <summary>Reply status: every dimension has room but the concurrency leases are all taken.</summary>
    internal const long ConcurrencyFull = 2;

    /// <summary>Reply status: the quota is exhausted (non-retryable).</summary>
    internal const long Exhausted = 3;

    /// <summary>Reply status: a learned limit is below the cost on one dimension: it could never be granted.</summary>
    internal const long TooLarge = 4;

    /// <summary>
    /// KEYS: 1 the hash, 2 the lease set. ARGV: 1 op, 2 now in µs or "" for the server's TIME, 3 burst headroom,
    /// 4..9 configured limits (0: none), 10 max concurrency (0: none), 11..16 per-dimension amounts (reserve), deltas
    /// (adjust) or lower-to targets ("" for none; observe), 17 lease id ("" none), 18 lease duration ms, 19 hold µs
    /// (observe), 20 exhausted-for µs ("" none, "-1" until reset), 21 exhaustion code, 22..27 learned limits (0 none).
    /// Reply: 1 status, 2 wait µs (refused), remaining exhaustion µs (-1 forever) or dimension (too large), 3 now µs,
    /// 4..9 levels, 10..15 effective limits (0 none), 16..21 learned limits, 22 leases held, 23 hold left µs, 24 code.
    /// </summary>
    internal const string Source = """
        local hash, leases = KEYS[1], KEYS[2]
        local op = ARGV[1]
        local now
        if ARGV[2] ~= '' then
          now = tonumber(ARGV[2])
        else
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local headroom = tonumber(ARGV[3])
        local maxconc = tonumber(ARGV[10])
        local state = redis.call('HMGET', hash, 't0','t1','t2','t3','t4','t5','l0','l1','l2','l3','l4','l5','hold','exh','exhc')
        local windows = {60000000, 60000000, 60000000, 60000000, 86400000000, 86400000000}
        local limit, cap, interval, tat, learned = {}, {}, {}, {}, {}
        local function setlimit(d)
          local l = learned[d]
          if l == 0 then l = tonumber(ARGV[3 + d]) end
          limit[d] = l
          if l > 0 then
            cap[d] = math.max(1, l - math.floor(l * headroom))
            interval[d] = windows[d] / l
          end
        end
        for d = 1, 6 do
          learned[d] = tonumber(state[6 + d]) or 0
          if op == 'o' then
            local nl = tonumber(ARGV[21 + d])
            if nl > 0 and nl ~= learned[d] then
              learned[d] = nl
              redis.call('HSET', hash, 'l' .. (d - 1), nl)
            end
          end
          setlimit(d)
          tat[d] = math.max(tonumber(state[d]) or now, now)
        end
        local hold = tonumber(state[13]) or 0
        local exh, exhc = state[14], state[15] or ''
        local status, detail = 1, 0
        local changed = {}

        if op == 'o' then
          local holdfor = tonumber(ARGV[19])
          if holdfor > 0 and now + holdfor > hold then
            hold = now + holdfor
            redis.call('HSET', hash, 'hold', string.format('%.17g', hold))
          end
          if ARGV[20] ~= '' then
            local x = tonumber(ARGV[20])
            exh = (x < 0) and 'inf' or string.format('%.17g', now + x)
            exhc = ARGV[21]
            redis.call('HSET', hash, 'exh', exh, 'exhc', exhc)
          end
          for d = 1, 6 do
            local target = ARGV[10 + d]
            if target ~= '' and limit[d] > 0 then
              local floor = now + (cap[d] - tonumber(target)) * interval[d]
              if floor > tat[d] then tat[d] = floor; changed[d] = true end
            end
          end
        end

        local exhleft = nil
        if exh then
          if exh == 'inf' then exhleft = -1 else
            local e = tonumber(exh)
            if e > now then exhleft = math.ceil(e - now) end
          end
        end

        if op == 'r' then
          if exhleft then
            status, detail = 3, exhleft
          else
            local wait = 0
            if hold > now then wait = hold - now end
            local newtat = {}
            for d = 1, 6 do
              local n = tonumber(ARGV[10 + d])
              if n > 0 and limit[d] > 0 then
                if n > cap[d] then
                  status, detail = 4, d - 1
                  break
                end
                newtat[d] = tat[d] + n * interval[d]
                local over = newtat[d] - now - cap[d] * interval[d]
                if over > 1e-3 and over > wait then wait = over end
              end
            end
            if status ~= 4 then
              if wait > 0 then
                status, detail = 0, math.ceil(wait)
              else
                if maxconc > 0 then
                  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
                  if redis.call('ZCARD', leases) >= maxconc then
                    status = 2
                  else
                    local ttl = tonumber(ARGV[18])
                    redis.call('ZADD', leases, now + ttl * 1000, ARGV[17])
                    redis.call('PEXPIRE', leases, ttl + 60000)
                  end
                end
                if status == 1 then
                  for d = 1, 6 do
                    if newtat[d] then tat[d] = newtat[d]; changed[d] = true end
                  end
                end
              end
            end
          end
        elseif op == 'a' then
          for d = 1, 6 do
            local delta = tonumber(ARGV[10 + d])
            if delta ~= 0 and limit[d] > 0 then
              tat[d] = math.max(now, tat[d] + delta * interval[d])
              changed[d] = true
            end
          end
          if ARGV[17] ~= '' then redis.call('ZREM', leases, ARGV[17]) end
        end

        local horizon = 0
        for d = 1, 6 do
          if changed[d] then redis.call('HSET', hash, 't' .. (d - 1), string.format('%.17g', tat[d])) end
          if limit[d] > 0 then horizon = math.max(horizon, tat[d] - now) end
        end
        if hold > now then horizon = math.max(horizon, hold - now) end
        if exhleft then horizon = math.max(horizon, exhleft < 0 and 86400000000 or exhleft) end
        local ttl = math.ceil(horizon / 1000) + 60000
        for d = 1, 6 do
          if learned[d] > 0 then ttl = math.max(ttl, 86400000) end
        end
        if redis.call('EXISTS', hash) == 1 then redis.call('PEXPIRE', hash, ttl) end

        local reply = {status, detail, string.format('%.17g', now)}
        for d = 1, 6 do
          if limit[d] > 0 then
            reply[3 + d] = math.floor(cap[d] - (tat[d] - now) / interval[d] + 1e-6)
          else
            reply[3 + d] = 0
          end
        end
        for d = 1, 6 do reply[9 + d] = limit[d] end
        for d = 1, 6 do reply[15 + d] = learned[d] end
        local held = 0
        if maxconc > 0 then held = redis.call('ZCOUNT', leases, '(' .. string.format('%.17g', now), '+inf') end
        reply[22] = held
        reply[23] = (hold > now) and math.ceil(hold - now) or 0
        reply[24] = exhc
        return reply
        """;
}

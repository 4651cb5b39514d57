using System.Globalization;
using FastBucket.Quotas;

namespace FastBucket.Redis;

/// <summary>
/// The one Lua script every quota operation runs: all rate dimensions of a quota are checked and charged together, in
/// one round trip, atomically (Redis runs a script to completion before any other command).
/// </summary>
/// <remarks>
/// <para>Each rate dimension is a GCRA cell: its theoretical arrival time (TAT) is a field <c>t0</c>..<c>t5</c> of the
/// quota's hash. With emission interval <c>T = window / limit</c> and burst <c>capacity</c>, the level is
/// <c>capacity − (max(TAT, now) − now) / T</c>; taking <c>n</c> moves the TAT by <c>n·T</c>, and is allowed when the new
/// TAT is at most <c>capacity·T</c> (less the caller's latency margin, never below <c>n·T</c>) ahead of now. A refund moves
/// it back (never before now: a bucket is never fuller than its capacity); a debt moves it forward without the check.</para>
/// <para><b>Time.</b> The server's <c>TIME</c> in whole microseconds (exact in a Lua number). Every stored time is
/// relative to the hash's <c>base</c>, rebased after a day, so fractional TATs keep sub-nanosecond precision: at
/// today's epoch in absolute microseconds a double steps by 0.25 µs, enough to refuse a request that exactly fits.</para>
/// <para>Other fields: <c>ep</c> the hash's generation (its creation time), <c>l0</c>..<c>l5</c> limits learned from a
/// provider (they override the configured ones for every process), <c>r0</c>..<c>r5</c> everything ever reserved and
/// <c>w0</c>..<c>w5</c> everything ever lowered on evidence (the counters of <see cref="QuotaPolicy"/>'s evidence rule),
/// <c>hold</c> (no grant before then, after a 429), <c>b0</c>..<c>b5</c> (where the provider enforces shorter periods,
/// the TAT of a second cell per dimension holding one burst period's share at the same rate), <c>bk</c>/<c>bkt</c> (how many
/// times a 429 while room was reported shrank the burst rule, a level of the caller's <c>bursts</c>, and when the last
/// such congestion event started), <c>cb</c> (the shape learned from the provider's resets: 1 a continuously refilled
/// bucket, so neither the burst nor the window rule refuses; -1 the safe shape for good), <c>cold</c> (until the first
/// answer, at most <see cref="LlmQuota.ColdRefillHold"/> after the hash was created, the burst cells earn no refill, and
/// a caller whose limits are assumed is granted one request at a time: <c>pg</c>, that probe in flight), <c>ds</c> (where the provider counts calendar days, the day the per-day
/// dimensions count: their GCRA clock stands at its first instant, so they earn nothing until the next day, when they
/// start full), <c>mg</c>/<c>mgt</c> (the largest latency margin any process
/// reported lately, and when: it decays by half each minute and holds back every process's grants), <c>exh</c>/<c>exhc</c> (a non-retryable exhaustion until then, and
/// its code; one without a reset lasts a day at most, or until reset), <c>q0</c>..<c>q5</c>/<c>qs0</c>..<c>qs5</c> (where the
/// window rule applies, the sum of the live per-second counts and the oldest second that may hold one; the counts are
/// fields <c>d:second</c> of a third key, <c>:seconds</c>, a count freeing a window and the expiry margin after its
/// second ends, so no window of the limit's length holds more than the limit; a success whose remaining shows the
/// provider counts less of the older seconds forgets the excess from the oldest, as LlmQuota's log forgets). In-flight requests are leases in a sorted set
/// (score: lease expiry) under the same hash tag. Each key's expiry is when every bucket, whoever limits it, would be
/// full again, plus a minute; a call never shortens it.</para>
/// <para>Arguments and reply are named lists (<see cref="RedisQuotaCall.Names"/>, <see cref="RedisQuotaReply.Names"/>)
/// written into the source, so the script reads <c>a.amounts</c>, not <c>ARGV[11]</c>; per-dimension values travel as
/// one comma-separated field each, in <see cref="QuotaDimension"/> order, with the windows from <see cref="QuotaDimensions"/>.</para>
/// </remarks>
internal static class RedisQuotaScript
{
    /// <summary>Operation: reserve <see cref="RedisQuotaCall.Amounts"/> on every dimension and a lease, all or nothing.</summary>
    internal const string Reserve = "r";

    /// <summary>Operation: add <see cref="RedisQuotaCall.Amounts"/> (refunds negative, debts positive) and free leases.</summary>
    internal const string AdjustAndRelease = "a";

    /// <summary>Operation: only read.</summary>
    internal const string Peek = "p";

    /// <summary>Operation: carry out an adaptation plan (learned limits, evidence, lower-to targets, hold, exhaustion).</summary>
    internal const string ObserveSignals = "o";

    /// <summary>Operation: clear an exhaustion.</summary>
    internal const string ResetExhaustion = "x";

    /// <summary>Reply status: granted.</summary>
    internal const long Granted = 1;

    /// <summary>Reply status: refused; the reply's detail is the wait in µs until every dimension has room.</summary>
    internal const long Refused = 0;

    /// <summary>Reply status: every dimension has room but the concurrency leases are all taken.</summary>
    internal const long ConcurrencyFull = 2;

    /// <summary>Reply status: the quota is exhausted (non-retryable); the detail is the µs until it resets.</summary>
    internal const long Exhausted = 3;

    /// <summary>Reply status: a limit is below the cost on one dimension (the detail): it could never be granted.</summary>
    internal const long TooLarge = 4;

    /// <summary>How long an exhaustion the provider gave no reset for lasts in Redis, unless reset before.</summary>
    internal static readonly TimeSpan ExhaustionWithoutReset = TimeSpan.FromDays(1);

    private const string Body = """
        local hash, leases = KEYS[1], KEYS[2]
        local a = {}
        for i, n in ipairs(ARGS) do a[n] = ARGV[i] end
        local function vec(s)
          local v, i = {}, 1
          for x in string.gmatch((s or '') .. ',', '([^,]*),') do v[i] = tonumber(x); i = i + 1 end
          return v
        end
        local function num(x) return string.format('%.17g', x) end
        local function int(x) return string.format('%.0f', x) end
        local op = a.op
        local now
        if a.now ~= '' then now = tonumber(a.now) else
          local t = redis.call('TIME')
          now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local F = {'base', 'ep', 'hold', 'exh', 'exhc', 'mg', 'mgt', 'ds', 'bk', 'bkt', 'cb', 'cold', 'pg'}
        for d = 0, 5 do F[#F + 1] = 't' .. d; F[#F + 1] = 'l' .. d; F[#F + 1] = 'r' .. d; F[#F + 1] = 'w' .. d; F[#F + 1] = 'b' .. d; F[#F + 1] = 'q' .. d; F[#F + 1] = 'qs' .. d end
        local got = redis.call('HMGET', hash, unpack(F))
        local s = {}
        for i, f in ipairs(F) do s[f] = got[i] end
        local base, ep = tonumber(s.base), tonumber(s.ep)
        local write = {}
        if not base then base = now; ep = now; write.base = true; write.ep = true end
        local shift = 0
        if now - base > 86400000000 then shift = now - base; base = now; write.base = true end
        local rel = now - base
        local function stored(f) local x = tonumber(s[f]); if x then return x - shift end return nil end
        local headroom, margin, maxconc = tonumber(a.headroom), tonumber(a.margin), tonumber(a.maxconc)
        -- The latency margin is shared: the largest any process saw lately (halved each minute) holds back every grant,
        -- because a request that arrives late bunches with those granted after it, whoever granted them.
        local shared = tonumber(s.mg) or 0
        if shared > 0 then shared = shared * 0.5 ^ ((rel - (stored('mgt') or rel)) / 60000000) end
        if margin > shared then
          redis.call('HSET', hash, 'mg', int(margin), 'mgt', num(rel))
        elseif shared >= 1 then
          margin = shared
          if shift > 0 then redis.call('HSET', hash, 'mgt', num(stored('mgt'))) end
        end
        -- Calendar days: a per-day dimension's GCRA clock stands at its day's first instant, so it earns nothing during
        -- the day, and it starts full when the caller's clock has reached the next day (ds: the day counted).
        local daystart, dayend = nil, nil
        if a.daystart ~= '' then daystart = tonumber(a.daystart) - base; dayend = tonumber(a.dayend) - base end
        local countedday = stored('ds')
        local newday = daystart ~= nil and (countedday == nil or countedday < daystart)
        if newday then redis.call('HSET', hash, 'ds', num(daystart))
        elseif shift > 0 and countedday then redis.call('HSET', hash, 'ds', num(countedday)) end
        -- The burst rule's shrink level (bk: which of a.bursts' levels, separated by '|', is in force) and the learned shape
        -- (cb: 1 a continuously refilled bucket, -1 the safe shape for good), kept for every process as LlmQuota keeps them
        -- for itself. A 429 while room was reported shrinks one level per congestion event: not again for a request sent
        -- before the last shrink (bkt), whichever process saw it; it ends a learned bucket for good.
        local blevels = {}
        if a.bursts ~= '' then for part in string.gmatch(a.bursts .. '|', '([^|]*)|') do blevels[#blevels + 1] = part end end
        local bk, cb, bkt = tonumber(s.bk) or 0, tonumber(s.cb) or 0, stored('bkt')
        if shift > 0 and bkt then redis.call('HSET', hash, 'bkt', num(bkt)) end
        if op == 'o' and #blevels > 0 then
          local function shrink()
            if bk < #blevels - 1 then bk = bk + 1; redis.call('HSET', hash, 'bk', int(bk)) end
          end
          if a.shrink ~= '' and (bkt == nil or rel - tonumber(a.shrink) >= bkt) then
            bkt = rel
            redis.call('HSET', hash, 'bkt', num(bkt))
            if cb == 1 then cb = -1; redis.call('HSET', hash, 'cb', '-1') end
            shrink()
          end
          if a.shape == '1' and cb == 0 then cb = 1; redis.call('HSET', hash, 'cb', '1')
          elseif a.shape == '0' and cb == 1 then cb = -1; redis.call('HSET', hash, 'cb', '-1'); shrink() end
        end
        local continuous = cb == 1
        -- The cold hold (cold: when it ends): a new quota's first sends may reach the provider together however far apart
        -- they were granted, so until the first answer any process sees (a.answered), at most COLD_HOLD after the hash was
        -- created, the burst cells earn nothing: their clock stands at the creation. When the hold ends, what they took
        -- counts from then (their TATs move on by the time held). A caller whose limits are assumed (a.probe) is granted
        -- one request at a time meanwhile (pg: a probe in flight).
        local bclock, heldfor, coldleft = rel, 0, 0
        local coldend = stored('cold')
        if write.ep then coldend = rel + COLD_HOLD; redis.call('HSET', hash, 'cold', num(coldend)) end
        if coldend then
          -- The hold began when the hash was made (ep), never more than COLD_HOLD before it ends, whatever the rebase did.
          local coldstart = math.max(ep - base, coldend - COLD_HOLD)
          if rel >= coldend or (op == 'o' and a.answered == '1') then
            heldfor = math.max(0, math.min(rel, coldend) - coldstart)
            redis.call('HDEL', hash, 'cold', 'pg')
          else
            bclock = math.min(coldstart, rel)
            coldleft = coldend - rel
          end
        end
        local configured, amounts, moved = vec(a.limits), vec(a.amounts), vec(a.moved)
        local limit, cap, interval, tat, learned, reserved, lowered, present = {}, {}, {}, {}, {}, {}, {}, {}
        local clock, isday = {}, {}
        -- The burst rule (a.bursts: per dimension, the share of its window one burst holds; 0: none): a second GCRA cell
        -- of that share refilled at the same rate, so a full bucket never goes out at once.
        -- While the bucket is learned (cb = 1) neither it nor the window rule refuses; the window rule still counts.
        local shares, bcap, btat, bchanged = {}, {}, {}, {}
        if #blevels > 0 and not continuous then shares = vec(blevels[math.min(bk, #blevels - 1) + 1]) end
        local changed = {}
        local newlearned = vec(a.learned)
        for d = 1, 6 do
          learned[d] = tonumber(s['l' .. (d - 1)]) or 0
          if op == 'o' and (newlearned[d] or 0) > 0 and newlearned[d] ~= learned[d] then
            learned[d] = newlearned[d]
            redis.call('HSET', hash, 'l' .. (d - 1), int(learned[d]))
          end
          local l = learned[d]
          if l == 0 then l = configured[d] or 0 end
          limit[d] = l
          if l > 0 then
            cap[d] = math.max(1, l - math.floor(l * headroom))
            interval[d] = WINDOWS[d] / l
          end
          isday[d] = daystart ~= nil and WINDOWS[d] == 86400000000
          clock[d] = isday[d] and math.min(daystart, rel) or rel
          local t = stored('t' .. (d - 1))
          present[d] = t ~= nil
          if shift > 0 and t then changed[d] = true end
          if isday[d] and newday and t then t = nil; changed[d] = true end
          tat[d] = math.max(t or clock[d], clock[d])
          if l > 0 and not isday[d] and (shares[d] or 0) > 0 then
            bcap[d] = math.min(cap[d], math.max(1, l * shares[d]))
            local b = stored('b' .. (d - 1))
            if shift > 0 and b then bchanged[d] = true end
            if b and heldfor > 0 then b = b + heldfor; bchanged[d] = true end
            btat[d] = math.max(b or bclock, bclock)
          end
          reserved[d] = tonumber(s['r' .. (d - 1)]) or 0
          lowered[d] = tonumber(s['w' .. (d - 1)]) or 0
        end
        -- The window rule (a.windows: per dimension 1 where it applies, then after ';' the expiry margin in µs): at most
        -- the limit in any window, whatever the provider's windows (fixed, sliding, aligned anywhere). Charges are counted
        -- per second of the server's clock in the 'seconds' hash (field 'd:second'); a second's count frees a window and
        -- the margin after that second ends. q<d> is the sum of the live seconds, qs<d> the oldest second that may hold
        -- a count: the seconds before it were walked and deleted.
        local secs = KEYS[3]
        local wins, wmargin, wtouched = {}, 0, false
        if a.windows ~= '' then
          local flags, m = string.match(a.windows, '^([^;]*);(.*)$')
          wins = vec(flags); wmargin = tonumber(m)
        end
        local cursec = math.floor(now / 1000000)
        local wsum, wlo, wmax = {}, {}, 0
        for d = 1, 6 do
          if (wins[d] or 0) > 0 and limit[d] > 0 then
            wmax = math.max(wmax, WINDOWS[d])
            local lo = math.floor((now - wmargin - WINDOWS[d]) / 1000000)
            local sum = tonumber(s['q' .. (d - 1)]) or 0
            local first = tonumber(s['qs' .. (d - 1)])
            if first and first < lo then
              -- No count is later than a window and the margin after 'first' (it was the oldest live second when last
              -- walked), so the walk is bounded however long the quota was idle.
              local last = math.min(lo - 1, first + math.ceil((WINDOWS[d] + wmargin) / 1000000) + 2)
              for sec = first, last do
                local f = (d - 1) .. ':' .. sec
                local v = tonumber(redis.call('HGET', secs, f))
                if v then sum = sum - v; redis.call('HDEL', secs, f) end
              end
              if sum < 0 then sum = 0 end
              redis.call('HSET', hash, 'q' .. (d - 1), int(sum), 'qs' .. (d - 1), int(lo))
            end
            wsum[d], wlo[d] = sum, lo
          end
        end
        local function wcount(d, sec, delta)
          -- Adds delta to second sec's count (never below zero) and to the sum.
          local f = (d - 1) .. ':' .. sec
          local v = tonumber(redis.call('HGET', secs, f)) or 0
          local nv = math.max(0, v + delta)
          if nv > 0 then redis.call('HSET', secs, f, int(nv)) else redis.call('HDEL', secs, f) end
          wsum[d] = math.max(0, wsum[d] + nv - v)
          redis.call('HSET', hash, 'q' .. (d - 1), int(wsum[d]), 'qs' .. (d - 1), int(wlo[d]))
          wtouched = true
        end
        local hold = stored('hold') or 0
        local exh, exhc = stored('exh'), s.exhc or ''
        if shift > 0 then
          if s.hold then write.hold = true end
          if exh then write.exh = true end
        end
        local status, detail, probed = 1, 0, 0

        if op == 'o' then
          local holdfor = tonumber(a.hold)
          if holdfor > 0 and rel + holdfor > hold then hold = rel + holdfor; write.hold = true end
          if a.exhfor ~= '' then
            local x = tonumber(a.exhfor)
            if x < 0 then x = EXHAUSTION_WITHOUT_RESET end
            exh, exhc = rel + x, a.code
            write.exh = true
            redis.call('HSET', hash, 'exhc', exhc)
          end
          local evidence, lowerto = vec(a.evidence), vec(a.lowerto)
          for d = 1, 6 do
            if limit[d] > 0 then
              if evidence[d] and tonumber(a.epoch) == ep then
                local by = evidence[d] - reserved[d] - lowered[d]
                if by > 0 then
                  tat[d] = tat[d] + by * interval[d]; lowered[d] = lowered[d] + by
                  -- Use made elsewhere counts against the burst too, up to one burst: the others keep sending.
                  if bcap[d] then btat[d] = btat[d] + math.min(by, bcap[d]) * interval[d]; bchanged[d] = true end
                  changed[d] = true; redis.call('HSET', hash, 'w' .. (d - 1), int(lowered[d]))
                end
              end
              if lowerto[d] then
                local floor = clock[d] + (cap[d] - lowerto[d]) * interval[d]
                if floor > tat[d] then tat[d] = floor; changed[d] = true end
                if bcap[d] then
                  local bfloor = bclock + (bcap[d] - math.min(bcap[d], lowerto[d])) * interval[d]
                  if bfloor > btat[d] then btat[d] = bfloor; bchanged[d] = true end
                end
              end
              if a.exhdays == '1' and WINDOWS[d] == 86400000000 then
                local used = clock[d] + cap[d] * interval[d]
                if used > tat[d] then tat[d] = used; changed[d] = true end
              end
            end
          end
          -- Forget what the provider let go of (LlmQuota's log forgets per charge, this per second): a success's
          -- remaining says it counts at most limit - remaining of the answered charge (own) and those before it; what the
          -- window rule holds of them beyond that, a fixed window's edge or a shorter log let go of. Charges of the grant's
          -- second and the one before count as unseen (another process's may not have reached the provider yet), as
          -- does what was in flight here (unseen); the excess is taken from the oldest seconds first.
          local fsec = tonumber(a.second)
          if a.forget ~= '' and fsec then
            local d = 0
            for part in string.gmatch(a.forget .. ',', '([^,]*),') do
              d = d + 1
              local rem, unseen, own = string.match(part, '^(%-?%d+):(%-?%d+):(%-?%d+)$')
              if rem and wsum[d] and limit[d] > 0 and fsec >= wlo[d] then
                local older, before = {}, 0
                for sec = wlo[d], fsec - 2 do
                  local v = tonumber(redis.call('HGET', secs, (d - 1) .. ':' .. sec))
                  if v then before = before + v; older[#older + 1] = sec end
                end
                local counted = before - math.max(0, tonumber(unseen))
                local forget = math.min(counted + tonumber(own) - (limit[d] - math.max(0, tonumber(rem))), counted)
                for _, sec in ipairs(older) do
                  if forget <= 0 then break end
                  local v = tonumber(redis.call('HGET', secs, (d - 1) .. ':' .. sec))
                  local take = math.min(v, forget)
                  wcount(d, sec, -take)
                  forget = forget - take
                end
              end
            end
          end
        elseif op == 'x' then
          exh = nil; exhc = ''
          redis.call('HDEL', hash, 'exh', 'exhc')
        end

        local exhleft = nil
        if exh and exh > rel then exhleft = math.ceil(exh - rel) end

        if op == 'r' then
          if exhleft then
            status, detail = 3, exhleft
          else
            local wait = 0
            if hold > rel then wait = hold - rel end
            local probing = a.probe == '1' and coldleft > 0
            if probing and s.pg and coldleft > wait then wait = coldleft end
            local newtat = {}
            for d = 1, 6 do
              local n = amounts[d] or 0
              if n > 0 and limit[d] > 0 then
                if n > cap[d] then status, detail = 4, d - 1; break end
                newtat[d] = tat[d] + n * interval[d]
                local held = math.floor(margin / interval[d]) * interval[d] -- whole units only: a margin never costs a limit of 3 a request
                local over = newtat[d] - clock[d] - math.max(cap[d] * interval[d] - held, n * interval[d])
                if over > 1e-3 and isday[d] then over = dayend - rel end
                if over > 1e-3 and over > wait then wait = over end
                if bcap[d] then
                  -- A charge larger than the burst goes when the burst is full, as a provider's quantum admits one.
                  local bover = btat[d] + n * interval[d] - bclock - math.max(bcap[d] * interval[d] - held, n * interval[d])
                  if bover > 1e-3 then bover = bover + coldleft end -- held cold, the cell refills only from the hold's end
                  if bover > 1e-3 and bover > wait then wait = bover end
                end
                if wsum[d] and not continuous and wsum[d] + n > cap[d] then
                  -- The seconds free oldest first: the wait is until enough of them have left the window.
                  local excess, freed, at = wsum[d] + n - cap[d], 0, nil
                  for sec = wlo[d], cursec do
                    local v = tonumber(redis.call('HGET', secs, (d - 1) .. ':' .. sec))
                    if v then
                      freed = freed + v
                      if freed >= excess then at = (sec + 1) * 1000000 + WINDOWS[d] + wmargin; break end
                    end
                  end
                  local wwait = (at or ((cursec + 1) * 1000000 + WINDOWS[d] + wmargin)) - now
                  if wwait > wait then wait = wwait end
                end
              end
            end
            if status ~= 4 then
              if wait > 0 then
                status, detail = 0, math.ceil(wait)
              else
                if maxconc > 0 then
                  redis.call('ZREMRANGEBYSCORE', leases, '-inf', int(now))
                  if redis.call('ZCARD', leases) >= maxconc then
                    status = 2
                  else
                    local ttl = tonumber(a.leasems)
                    redis.call('ZADD', leases, int(now + ttl * 1000), a.lease)
                    if redis.call('PTTL', leases) < ttl + 60000 then redis.call('PEXPIRE', leases, ttl + 60000) end
                  end
                end
                if status == 1 then
                  if probing then redis.call('HSET', hash, 'pg', '1'); probed = 1 end
                  for d = 1, 6 do
                    if newtat[d] then
                      tat[d] = newtat[d]; changed[d] = true
                      if bcap[d] then btat[d] = btat[d] + amounts[d] * interval[d]; bchanged[d] = true end
                      if wsum[d] then wcount(d, cursec, amounts[d]) end
                      reserved[d] = reserved[d] + amounts[d]
                      redis.call('HSET', hash, 'r' .. (d - 1), int(reserved[d]))
                    end
                  end
                end
              end
            end
          end
        elseif op == 'a' then
          for d = 1, 6 do
            local delta = amounts[d] or 0
            if delta ~= 0 and limit[d] > 0 then
              tat[d] = math.max(clock[d], tat[d] + delta * interval[d])
              changed[d] = true
              if bcap[d] then btat[d] = math.max(bclock, btat[d] + delta * interval[d]); bchanged[d] = true end
            end
            if delta ~= 0 and wsum[d] then
              -- In the second it was granted in while that is live; an overrun on an expired one (or of unknown second)
              -- counts from now, a refund of one the window has let go of is nothing to give back.
              local sec = tonumber(a.second)
              if sec and sec >= wlo[d] then wcount(d, sec, delta) elseif delta > 0 then wcount(d, cursec, delta) end
            end
            local g, ans, mv = tonumber(a.second), tonumber(a.answer), moved[d] or 0
            if wsum[d] and g and ans and ans > g and mv > 0 then
              -- Answered in a later second: the provider counted it no later than that, so it counts from there (a
              -- grant second the window has let go of has nothing left to move, the answer's still counts it).
              if g >= wlo[d] then wcount(d, g, -mv) end
              if ans >= wlo[d] then wcount(d, ans, mv) end
            end
          end
          if a.probe == '1' then redis.call('HDEL', hash, 'pg') end
          if a.lease ~= '' then redis.call('ZREM', leases, a.lease) end
          for id in string.gmatch(a.released, '([^,]+)') do redis.call('ZREM', leases, id) end
        end

        local horizon = 0
        for d = 1, 6 do
          if changed[d] then redis.call('HSET', hash, 't' .. (d - 1), num(tat[d])); present[d] = true end
          if present[d] then horizon = math.max(horizon, isday[d] and tat[d] > clock[d] and dayend - rel or tat[d] - rel) end
          if bchanged[d] then redis.call('HSET', hash, 'b' .. (d - 1), num(btat[d])) end
          if bcap[d] then horizon = math.max(horizon, btat[d] - rel) end
          -- The hash outlives the counts it sums: a hash that expired first would restart the sum at zero under live counts.
          if wsum[d] and wsum[d] > 0 then horizon = math.max(horizon, (cursec + 1) * 1000000 + WINDOWS[d] + wmargin - now + 2000000) end
        end
        if wtouched then redis.call('PEXPIRE', secs, math.ceil((wmax + wmargin) / 1000) + 2000) end
        if write.base then redis.call('HSET', hash, 'base', int(base)) end
        if write.ep then redis.call('HSET', hash, 'ep', int(ep)) end
        if write.hold then redis.call('HSET', hash, 'hold', num(hold)) end
        if write.exh and exh then redis.call('HSET', hash, 'exh', num(exh)) end
        if hold > rel then horizon = math.max(horizon, hold - rel) end
        if exhleft then horizon = math.max(horizon, exhleft) end
        local ttl = math.ceil(horizon / 1000) + 60000
        for d = 1, 6 do
          if learned[d] > 0 then ttl = math.max(ttl, 86400000) end
        end
        if bk > 0 or cb ~= 0 then ttl = math.max(ttl, 86400000) end
        local pttl = redis.call('PTTL', hash)
        if pttl ~= -2 and pttl < ttl then redis.call('PEXPIRE', hash, ttl) end

        local r = {status = status, detail = detail, now = int(now), epoch = int(ep), code = exhc, probed = probed}
        local levels, limits, lrn, res, low = {}, {}, {}, {}, {}
        for d = 1, 6 do
          levels[d] = (limit[d] > 0) and math.floor(cap[d] - (tat[d] - clock[d]) / interval[d] + 1e-6) or 0
          if bcap[d] then levels[d] = math.min(levels[d], math.floor(bcap[d] - (btat[d] - bclock) / interval[d] + 1e-6)) end
          if wsum[d] and not continuous then levels[d] = math.min(levels[d], math.floor(cap[d] - wsum[d])) end
          limits[d], lrn[d], res[d], low[d] = limit[d], learned[d], reserved[d], lowered[d]
        end
        local function csv(v) local out = {}; for d = 1, 6 do out[d] = int(v[d]) end; return table.concat(out, ',') end
        r.levels, r.limits, r.learned, r.reserved, r.lowered = csv(levels), csv(limits), csv(lrn), csv(res), csv(low)
        r.leases = 0
        if maxconc > 0 then r.leases = redis.call('ZCOUNT', leases, '(' .. int(now), '+inf') end
        r.holdleft = (hold > rel) and math.ceil(hold - rel) or 0
        local out = {}
        for i, n in ipairs(REPLY) do out[i] = r[n] end
        return out
        """;

    /// <summary>The script: the argument and reply names, the windows and the exhaustion bound written in, then <see cref="Body"/>.</summary>
    internal static readonly string Source = string.Create(CultureInfo.InvariantCulture, $$"""
        -- Redis 3.2 and 4 replicate a script by its effects only when asked: needed because TIME precedes writes.
        if redis.replicate_commands then pcall(redis.replicate_commands) end
        local ARGS = {{{Quoted(RedisQuotaCall.Names)}}}
        local REPLY = {{{Quoted(RedisQuotaReply.Names)}}}
        local WINDOWS = {{{string.Join(", ", WindowsMicroseconds())}}}
        local EXHAUSTION_WITHOUT_RESET = {{(long)ExhaustionWithoutReset.TotalMicroseconds}}
        local COLD_HOLD = {{(long)LlmQuota.ColdRefillHold.TotalMicroseconds}}
        {{Body}}
        """);

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => "'" + n + "'"));

    private static IEnumerable<long> WindowsMicroseconds()
    {
        foreach (var row in QuotaDimensions.RateRows)
        {
            yield return (long)row.Window!.Value.TotalMicroseconds;
        }
    }
}

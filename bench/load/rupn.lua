-- The users of the load test, for wrk (bench/load/run.py starts it; not meant to be run alone).
--
-- wrk runs one thread per user with one connection each (-t N -c N), so that a response is always the answer to the
-- request this thread sent last. Each user logs in through the login page like a browser (the CSRF cookie and the
-- form's token, then the session cookie), then goes round its kind's cycle of pages with 1 to 3 s between actions:
--   principal: allocation table then its save (one row's holder changed, with the page's version and signed base),
--              school page, IMP page, staff list, table and save again, points d'étape, CA sheet preview;
--   referent:  activity log then an added entry (a unique description), home page;
--   dane:      dashboard, school table, dashboard, schools without a point d'étape.
-- Each principal has a plan of its own: every confirmed save (302) made exactly the version after the one it was
-- shown, which run.py checks, as it checks that every confirmed activity entry is there once. Saves stop
-- SAVE_MARGIN seconds before the end so that none is cut in flight (a GET cut there writes nothing).
--
-- Arguments (after --): the users file written by run.py (a Lua table), the journal (JSON lines of the confirmed
-- saves and of every unexpected answer), the time (os.time) after which no save starts, the run's id.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local me, users, save_until, run_id
local step, cycle = 0, nil
local phase = "login page"
local cookies = {}
local csrf = nil       -- the form token of the last page read
local version, base = nil, nil
local pending = nil    -- what the last request was: {name = …, save = {…}}
local entries = 0
local first = true     -- the first action waits 0 to 3 s: the users do not all start at the same moment
journal = ""          -- read by done() through thread:get
unexpected = 0

local CYCLES = {
  principal = {"allocation", "allocation save", "school", "imp", "staff", "allocation", "allocation save",
               "points", "ca preview"},
  referent = {"activity", "activity add", "home"},
  dane = {"dashboard", "school table", "dashboard", "dane points"},
}

local function urlencode(text)
  return (tostring(text):gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function json_string(text)
  return '"' .. tostring(text):gsub('[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

local function cookie_header()
  local parts = {}
  for name, value in pairs(cookies) do table.insert(parts, name .. "=" .. value) end
  return table.concat(parts, "; ")
end

local function input_value(body, name)
  -- The value of the <input> named `name` (attributes in any order).
  for tag in body:gmatch("<input[^>]*>") do
    if tag:find('name="' .. name .. '"', 1, true) then
      return tag:match('value="([^"]*)"')
    end
  end
  return nil
end

local function note(text)
  unexpected = unexpected + 1
  journal = journal .. '{"kind": "unexpected", "what": ' .. json_string(text) .. '}\n'
end

function init(args)
  users = dofile(args[1])
  save_until = tonumber(args[3])
  run_id = args[4]
  me = users[id]
  cycle = CYCLES[me.kind]
  math.randomseed(id * 7919 + os.time())
end

local function get(path, name)
  pending = {name = name}
  return wrk.format("GET", path, {Cookie = cookie_header()})
end

local function post(path, name, body, save)
  pending = {name = name, save = save}
  return wrk.format("POST", path, {
    Cookie = cookie_header(),
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

local function allocation_save()
  local row = me.rows[math.random(#me.rows)]
  local holder = row.options[math.random(#row.options)]
  local parts = {me.allocation_body, "csrfmiddlewaretoken=" .. urlencode(csrf), "version=" .. version,
                 "base=" .. urlencode(base), "save="}
  for _, other in ipairs(me.rows) do
    local holders = other == row and {holder} or other.holders
    for _, h in ipairs(holders) do table.insert(parts, other.field .. "=" .. h) end
  end
  return post(me.allocation_url, "allocation save", table.concat(parts, "&"),
              {kind = "plan", row = row, holder = holder, version = tonumber(version) + 1})
end

local function activity_add()
  entries = entries + 1
  local description = "load " .. run_id .. " user " .. id .. " entry " .. entries
  local body = table.concat({me.activity_body, "csrfmiddlewaretoken=" .. urlencode(csrf),
    "mission=" .. me.missions[math.random(#me.missions)], "duration=" .. urlencode("30 min"), "kind=other",
    "description=" .. urlencode(description)}, "&")
  return post("/activite/", "activity add", body, {kind = "activity", description = description})
end

function request()
  if phase == "login page" then
    return get("/connexion/", "login page")
  elseif phase == "login" then
    return post("/connexion/", "login", "csrfmiddlewaretoken=" .. urlencode(csrf) .. "&username=" ..
                urlencode(me.email) .. "&password=" .. urlencode(users.password))
  end
  step = step % #cycle + 1
  local name = cycle[step]
  if name == "allocation save" or name == "activity add" then
    local ready = csrf and (name == "activity add" or (version and base))  -- the form's page was read just before
    if os.time() >= save_until or not ready then
      name = name == "allocation save" and "allocation" or "activity"  -- no save starts near the end
    elseif name == "allocation save" then
      return allocation_save()
    else
      return activity_add()
    end
  end
  return get(me.pages[name], name)
end

function response(status, headers, body)
  local set = headers["Set-Cookie"]  -- wrk keeps one header per name: the last one (each is read)
  if set then
    for name, value in set:gmatch("(%w+)=([^;]*)") do
      if name == "sessionid" or name == "csrftoken" then cookies[name] = value end
    end
  end
  local name = pending and pending.name or "?"
  if phase == "login page" then
    csrf = input_value(body, "csrfmiddlewaretoken")
    phase = status == 200 and csrf and "login" or "login page"
    if phase == "login page" then note("login page: " .. status) end
    return
  elseif phase == "login" then
    if status == 302 and cookies.sessionid then phase = "user" else note("login: " .. status); phase = "login page" end
    csrf = nil
    return
  end
  local save = pending and pending.save
  if save then
    if status == 302 then
      if save.kind == "plan" then
        journal = journal .. string.format(
          '{"kind": "plan", "plan": %d, "version": %d, "row": %d, "holders": [%d]}\n',
          me.plan, save.version, save.row.id, save.holder)
        save.row.holders = {save.holder}
      else
        journal = journal .. '{"kind": "activity", "email": ' .. json_string(me.email) .. ', "description": ' ..
                  json_string(save.description) .. '}\n'
      end
    else
      note(name .. ": " .. status)
    end
    csrf, version, base = nil, nil, nil
    return
  end
  csrf, version, base = nil, nil, nil
  if status ~= 200 then
    note(name .. ": " .. status)
    return
  end
  if name == "allocation" then
    csrf, version, base = input_value(body, "csrfmiddlewaretoken"), input_value(body, "version"),
                          input_value(body, "base")
    if not (csrf and version and base) then note("allocation: no version or base in the page") end
  elseif name == "activity" then
    csrf = input_value(body, "csrfmiddlewaretoken")
  end
end

function delay()
  if phase ~= "user" then return 0 end
  if first then first = false; return math.random(0, 3000) end
  return math.random(1000, 3000)  -- thinking between two actions
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("LOAD_JOURNAL"), "w"))
  local total_unexpected = 0
  for _, thread in ipairs(threads) do
    out:write(thread:get("journal"))
    total_unexpected = total_unexpected + thread:get("unexpected")
  end
  out:close()
  local stats = assert(io.open(os.getenv("LOAD_STATS"), "w"))
  local e = summary.errors
  stats:write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"unexpected": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.0f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, total_unexpected,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
  stats:close()
end

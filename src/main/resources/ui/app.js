// sessionlog's timeline page: the tenant's sessions, and a session as loops over time, following new
// events as they arrive (pushed over the follow API's WebSocket; wait=20 on the events endpoint where
// there is none). Plain JavaScript, no build step, nothing
// fetched from elsewhere: every request goes to the API this page is served by.
'use strict';

const LANE_HEIGHT = 28;
const LABEL_WIDTH = 340;
const $ = (id) => document.getElementById(id);

const state = {
  session: null, // the materialized session on screen
  loops: [],
  t0: 0,
  t1: 1,
  selectedLoop: null,
  tail: null, // the AbortController of the live tail
  listCursor: null,
  listFollow: null, // the AbortController of the list's follow connection
  listPending: new Map(), // sessions a push named that the list does not show yet: id -> seq
  listTimer: null,
  refreshTimer: null,
};

// ── requests ─────────────────────────────────────────────────────────────────────────────────

function authHeaders() {
  const token = sessionStorage.getItem('sessionlog.token');
  if (token) {
    return { Authorization: 'Bearer ' + token };
  }
  const tenant = localStorage.getItem('sessionlog.tenant');
  return tenant ? { 'X-Tenant-Id': tenant } : {};
}

async function api(path, signal, method = 'GET') {
  const response = await fetch(path, { headers: authHeaders(), signal, method });
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const message = body && body.error ? body.error.message : body && body.message ? body.message : response.statusText;
    const error = new Error(message + ' (' + response.status + ')');
    error.status = response.status;
    error.code = body && body.error ? body.error.code : null;
    throw error;
  }
  return body;
}

function showError(error) {
  if (error && error.name === 'AbortError') {
    return;
  }
  const box = $('error');
  box.textContent = error ? String(error.message || error) : '';
  box.hidden = !error;
}

// ── the list of sessions ─────────────────────────────────────────────────────────────────────

function tokens(usage) {
  if (!usage) {
    return 0;
  }
  return usage.total_tokens || (usage.input || 0) + (usage.output || 0);
}

function sessionLink(id) {
  return '#/s/' + encodeURIComponent(id);
}

async function loadSessions(append) {
  const agent = $('agent').value.trim();
  const query = new URLSearchParams({ limit: '50' });
  if (agent) {
    query.set('agent_id', agent);
  }
  if (append && state.listCursor) {
    query.set('cursor', state.listCursor);
  }
  const page = await api('/v1/sessions?' + query);
  const body = $('sessions').tBodies[0];
  if (!append) {
    body.replaceChildren();
  }
  for (const s of page.sessions) {
    const row = body.insertRow();
    row.dataset.sessionId = s.session_id;
    row.dataset.headSeq = s.head_seq; // the last seq the recorder folded
    // The id is a real link: it opens in a new tab, can be bookmarked, and the keyboard reaches it.
    row.insertCell().append(link(s.session_id, sessionLink(s.session_id)));
    const cells = [s.agent_id || '', s.last_event_at || '', s.loop_count, s.status, tokens(s.usage),
      s.forked_from ? s.forked_from.session_id + ' @' + s.forked_from.seq : ''];
    for (const value of cells) {
      row.insertCell().textContent = value;
    }
    // The rest of the row opens it too; a click on the link is the link's (a new tab stays a new tab).
    row.addEventListener('click', (e) => {
      if (!e.target.closest('a')) {
        location.hash = sessionLink(s.session_id);
      }
    });
  }
  state.listCursor = page.next_cursor;
  $('more').hidden = !page.next_cursor;
}

// ── following the list ───────────────────────────────────────────────────────────────────────

/**
 * The list follows the tenant's sessions (POST /v1/follow): a push names the sessions that got
 * events; the list is read again once the recorder has them (it lags the events by its batching
 * window). Where no connection can be made the list stays as read (Use and More read it again).
 */
async function followList() {
  stopListFollow();
  const controller = new AbortController();
  state.listFollow = controller;
  let ticket;
  try {
    ticket = await api('/v1/follow', controller.signal, 'POST');
  } catch (e) {
    return;
  }
  if (controller.signal.aborted) {
    return; // another list view took over meanwhile
  }
  let socket;
  try {
    socket = new WebSocket(ticket.url);
  } catch (e) {
    return;
  }
  const keepAlive = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('{"action":"ping"}'), 5 * 60 * 1000);
  controller.signal.addEventListener('abort', () => socket.close());
  socket.onopen = async () => {
    // what changed between the list's read and this connection was pushed to nobody: read it again
    try {
      await loadSessions(false);
    } catch (e) {
      showError(e);
    }
    if (state.listFollow === controller) {
      document.body.dataset.listFollow = 'push';
    }
  };
  socket.onmessage = (message) => {
    const pushed = JSON.parse(message.data);
    if (pushed.type === 'sessions') {
      for (const s of pushed.sessions) {
        state.listPending.set(s.session_id, s.erased ? -1 : s.head_seq);
      }
      reloadListSoon(0);
    }
  };
  socket.onclose = () => {
    clearInterval(keepAlive);
    delete document.body.dataset.listFollow;
    if (state.listFollow === controller) {
      setTimeout(() => { if (state.listFollow === controller) { followList(); } }, 2000); // closed after 2 h: again
    }
  };
}

function stopListFollow() {
  if (state.listFollow) {
    state.listFollow.abort();
    state.listFollow = null;
  }
  delete document.body.dataset.listFollow;
}

/** Reads the list's first page again until it shows what the pushes named (10 tries, a second apart). */
function reloadListSoon(attempt) {
  clearTimeout(state.listTimer);
  state.listTimer = setTimeout(async () => {
    try {
      await loadSessions(false);
    } catch (e) {
      showError(e);
      return;
    }
    for (const [id, seq] of [...state.listPending]) {
      const row = $('sessions').querySelector('tr[data-session-id="' + CSS.escape(id) + '"]');
      const shown = seq < 0 ? !row : row && Number(row.dataset.headSeq) >= seq;
      if (shown) {
        state.listPending.delete(id);
      }
    }
    if (state.listPending.size && attempt < 10) {
      reloadListSoon(attempt + 1);
    } else {
      state.listPending.clear();
    }
  }, attempt === 0 ? 300 : 1000);
}

// ── a session ────────────────────────────────────────────────────────────────────────────────

function time(text) {
  const t = text ? Date.parse(text) : NaN;
  return Number.isNaN(t) ? null : t;
}

function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) {
    return '?';
  }
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s';
}

/** The tool calls of a loop: from each turn's assistant message (the call) to its tool result (the end). */
function toolCalls(loop) {
  const calls = [];
  for (const turn of loop.turns || []) {
    const out = turn.output_message || {};
    const started = typeof out.timestamp === 'number' ? out.timestamp : time(turn.started_at);
    const results = {};
    for (const r of turn.tool_results || []) {
      results[r.toolCallId] = r;
    }
    for (const c of out.content || []) {
      if (c.type !== 'toolCall') {
        continue;
      }
      const result = results[c.id];
      const ended = result && typeof result.timestamp === 'number' ? result.timestamp : time(turn.ended_at);
      calls.push({ id: c.id, name: c.name, start: started, end: ended,
        ms: started !== null && ended !== null ? Math.max(0, ended - started) : null, failed: !!(result && result.isError) });
    }
  }
  return calls;
}

function prepare(session) {
  const loops = session.loops || [];
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const loop of loops) {
    loop.start = time(loop.started_at);
    loop.end = time(loop.ended_at);
    loop.calls = toolCalls(loop);
    for (const t of [loop.start, loop.end]) {
      if (t !== null) {
        t0 = Math.min(t0, t);
        t1 = Math.max(t1, t);
      }
    }
    for (const c of loop.calls) {
      if (c.end !== null) {
        t1 = Math.max(t1, c.end);
      }
    }
  }
  if (!Number.isFinite(t0)) {
    t0 = time(session.created_at) || Date.now();
  }
  if (!Number.isFinite(t1) || t1 <= t0) {
    t1 = t0 + 1000;
  }
  state.session = session;
  state.loops = loops;
  state.t0 = t0;
  state.t1 = t1;
}

function link(text, href) {
  const a = document.createElement('a');
  a.textContent = text;
  a.href = href;
  return a;
}

function renderSummary() {
  const s = state.session;
  const box = $('summary');
  box.replaceChildren();
  const title = document.createElement('h2');
  title.textContent = s.session_id;
  box.append(title);
  const facts = document.createElement('p');
  facts.textContent = [s.agent_id ? 'agent ' + s.agent_id : null, s.status, (s.loops || []).length + ' loops',
    'events 1..' + s.head_seq, tokens(s.usage) + ' tokens in total', 'last event ' + (s.last_event_at || '?')]
    .filter(Boolean).join(' · ');
  box.append(facts);
  const links = document.createElement('p');
  if (s.parent_spawn_ref && s.parent_spawn_ref.parent_session_id) {
    const a = link('← parent ' + s.parent_spawn_ref.parent_session_id, sessionLink(s.parent_spawn_ref.parent_session_id));
    a.id = 'parent-link';
    links.append(a);
  }
  if (s.forked_from) {
    const a = link('forked from ' + s.forked_from.session_id + ' at seq ' + s.forked_from.seq, sessionLink(s.forked_from.session_id));
    a.id = 'fork-origin';
    links.append(a);
  }
  box.append(links);
  if (s.fold_error_count > 0) {
    const errors = document.createElement('p');
    errors.className = 'errors';
    errors.id = 'fold-errors';
    errors.textContent = s.fold_error_count + ' event(s) could not be folded: ' + (s.fold_errors || [])
      .map((e) => 'seq ' + e.seq + ' ' + e.type + ': ' + e.message).join('; ');
    box.append(errors);
  }
}

function renderAxis() {
  const axis = $('axis');
  axis.replaceChildren();
  const width = $('timeline').clientWidth - LABEL_WIDTH - 16;
  for (let i = 0; i <= 4; i++) {
    const label = document.createElement('span');
    label.style.left = Math.round(width * i / 4) + 'px';
    label.style.transform = i === 4 ? 'translateX(-100%)' : i > 0 ? 'translateX(-50%)' : '';
    label.textContent = '+' + duration(Math.round((state.t1 - state.t0) * i / 4));
    axis.append(label);
  }
}

function x(t, width) {
  return Math.round((t - state.t0) / (state.t1 - state.t0) * width);
}

function bar(className, from, to, width) {
  const el = document.createElement('div');
  el.className = className;
  const left = x(from, width);
  el.style.left = left + 'px';
  el.style.width = Math.max(3, x(to, width) - left) + 'px';
  return el;
}

function laneLabel(loop) {
  const label = document.createElement('div');
  label.className = 'lane-label';
  label.title = loop.loop_id + ' · ' + loop.status + ' · ' + tokens(loop.usage) + ' tokens';
  label.textContent = loop.loop_id;
  const facts = document.createElement('span');
  facts.className = 'facts';
  facts.textContent = (loop.status === 'Completed' ? '' : loop.status + ' · ') + tokens(loop.usage) + ' tok';
  label.append(facts);
  if (loop.parallel_group) {
    const group = document.createElement('span');
    group.className = 'badge parallel';
    group.textContent = 'parallel';
    label.append(group);
    if (loop.parallel_group.is_selected) {
      const selected = document.createElement('span');
      selected.className = 'badge selected';
      selected.textContent = 'selected';
      label.append(selected);
    }
  }
  if (loop.rejection) {
    const rejected = document.createElement('span');
    rejected.className = 'badge rejected';
    rejected.textContent = 'rejected';
    rejected.title = loop.rejection;
    label.append(rejected);
  }
  if (loop.truncated) {
    const truncated = document.createElement('span');
    truncated.className = 'badge';
    truncated.textContent = 'large';
    label.append(truncated);
  }
  return label;
}

function renderLane(loop, index, width) {
  const lane = document.createElement('div');
  lane.className = 'lane' + (state.selectedLoop === loop.loop_id ? ' selected-lane' : '');
  lane.style.top = index * LANE_HEIGHT + 'px';
  lane.dataset.loopId = loop.loop_id;
  lane.append(laneLabel(loop));
  const track = document.createElement('div');
  track.className = 'track';
  const start = loop.start !== null ? loop.start : state.t0;
  const end = loop.end !== null ? loop.end : state.t1;
  track.append(bar('loop-bar', start, end, width));
  for (const turn of loop.turns || []) {
    const from = time(turn.started_at);
    const to = time(turn.ended_at);
    if (from !== null && to !== null) {
      const t = bar('turn', from, to, width);
      t.title = 'turn ' + (turn.turn_id ? turn.turn_id.turnIndex : '') + ' · ' + duration(to - from);
      track.append(t);
    }
  }
  for (const call of loop.calls) {
    if (call.start === null || call.end === null) {
      continue;
    }
    const c = bar('tool' + (call.failed ? ' failed' : ''), call.start, call.end, width);
    c.dataset.tool = call.name;
    c.dataset.durationMs = call.ms;
    c.textContent = call.name + ' ' + duration(call.ms);
    c.title = call.name + ' · ' + duration(call.ms) + (call.failed ? ' · failed' : '');
    track.append(c);
  }
  for (const ref of loop.child_loop_refs || []) {
    if (ref.child_session_id && ref.child_session_id !== state.session.session_id) {
      const a = link('→ ' + ref.child_session_id, sessionLink(ref.child_session_id));
      a.className = 'subagent badge';
      a.style.position = 'absolute';
      a.style.right = '4px';
      a.style.top = '6px';
      a.addEventListener('click', (e) => e.stopPropagation());
      track.append(a);
    }
  }
  lane.append(track);
  lane.addEventListener('click', () => selectLoop(loop));
  return lane;
}

/** Only the lanes in view (and a few around them) are in the page: a session of thousands of loops scrolls smoothly. */
function renderLanes() {
  const viewport = $('timeline');
  const lanes = $('lanes');
  lanes.style.height = state.loops.length * LANE_HEIGHT + 'px';
  const width = Math.max(100, viewport.clientWidth - LABEL_WIDTH - 16);
  const first = Math.max(0, Math.floor(viewport.scrollTop / LANE_HEIGHT) - 5);
  const last = Math.min(state.loops.length, first + Math.ceil(viewport.clientHeight / LANE_HEIGHT) + 10);
  const fragment = document.createDocumentFragment();
  for (let i = first; i < last; i++) {
    fragment.append(renderLane(state.loops[i], i, width));
  }
  lanes.replaceChildren(fragment);
}

let scheduled = false;
function onScroll() {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      renderLanes();
    });
  }
}

function selectLoop(loop) {
  state.selectedLoop = loop.loop_id;
  renderLanes();
  const box = $('details');
  box.replaceChildren();
  const title = document.createElement('h3');
  title.textContent = loop.loop_id;
  box.append(title);
  const facts = document.createElement('p');
  facts.textContent = [loop.status, 'started ' + (loop.started_at || '?'), 'ended ' + (loop.ended_at || '?'),
    (loop.turns || []).length + ' turns', tokens(loop.usage) + ' tokens'].join(' · ');
  box.append(facts);
  if (loop.rejection) {
    const p = document.createElement('p');
    p.className = 'errors';
    p.textContent = 'rejected: ' + loop.rejection;
    box.append(p);
  }
  if (loop.parallel_group) {
    const p = document.createElement('p');
    p.textContent = 'parallel group of ' + (loop.parallel_group.all_loop_ids || []).length + ' loops; selected: '
      + loop.parallel_group.selected_loop_id + (loop.parallel_group.is_selected ? ' (this one)' : '');
    box.append(p);
  }
  if (loop.calls.length) {
    const list = document.createElement('ul');
    list.className = 'tool-calls';
    for (const call of loop.calls) {
      const li = document.createElement('li');
      li.textContent = call.name + ' — ' + duration(call.ms) + (call.failed ? ' — failed' : ' — ok');
      list.append(li);
    }
    box.append(list);
  }
  const events = document.createElement('p');
  events.className = 'event-seqs';
  events.append('events: ');
  for (const seq of (loop.event_seqs || []).slice(0, 500)) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = seq;
    b.dataset.seq = seq;
    b.addEventListener('click', () => showEvent(seq));
    events.append(b, ' ');
  }
  box.append(events);
}

async function showEvent(seq) {
  try {
    const page = await api('/v1/sessions/' + encodeURIComponent(state.session.session_id) + '/events?after_seq=' + (seq - 1) + '&limit=1');
    const pre = $('json');
    pre.textContent = JSON.stringify(page.events[0], null, 2);
    pre.hidden = false;
    pre.dataset.seq = seq;
  } catch (e) {
    showError(e);
  }
}

async function openSession(id) {
  stopTail();
  $('list-view').hidden = true;
  $('session-view').hidden = false;
  $('live').replaceChildren();
  $('json').hidden = true;
  state.selectedLoop = null;
  const started = performance.now();
  const session = await api('/v1/sessions/' + encodeURIComponent(id));
  prepare(session);
  renderSummary();
  renderAxis();
  $('timeline').scrollTop = 0;
  renderLanes();
  window.sessionlogFirstViewMs = Math.round(performance.now() - started);
  document.body.dataset.session = id;
  follow(id, session.head_seq);
}

// ── following new events ──────────────────────────────────────────────────────────────────────

function stopTail() {
  if (state.tail) {
    state.tail.abort();
    state.tail = null;
  }
}

/** Where the page is in a session's events: what it took, and how it reads what it missed. */
function makeTail(id, after) {
  let position = after;
  const events = '/v1/sessions/' + encodeURIComponent(id) + '/events?after_seq=';
  const tail = {
    position: () => position,
    /** Takes the records that come next, in order; a record already taken (pushed again) is dropped. */
    take(records) {
      let last = null;
      for (const record of records) {
        if (record.seq === position + 1) {
          addLive(record);
          position = record.seq;
          last = record.seq;
        }
      }
      if (last !== null) {
        refreshSoon(id, last);
      }
    },
    /** Reads over HTTP from the last seq taken to the head (the archive included). */
    async catchUp(signal) {
      for (;;) {
        const page = await api(events + position + '&limit=1000', signal);
        tail.take(page.events);
        if (!page.events.length || position >= page.head_seq) {
          return;
        }
      }
    },
    /** One held read (wait=20): returns when events follow, or after 20 s. */
    async waitOnce(signal) {
      const page = await api(events + position + '&wait=20', signal);
      tail.take(page.events);
      position = Math.max(position, page.next_after_seq || 0);
    },
  };
  return tail;
}

/**
 * Follows by push: a ticket, the WebSocket, a catch-up over HTTP, then the pushed records (each seq
 * once; a gap or an "appended" notice is read over HTTP). Resolves 'closed' when the connection ends
 * (API Gateway closes it after 2 hours) or 'erased'; throws when it cannot connect.
 */
async function followPushed(id, controller, tail) {
  const ticket = await api('/v1/sessions/' + encodeURIComponent(id) + '/follow', controller.signal, 'POST');
  const socket = new WebSocket(ticket.url);
  const queue = [];
  let wake = null;
  let closed = false;
  socket.onmessage = (message) => {
    queue.push(JSON.parse(message.data));
    if (wake) {
      wake();
    }
  };
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = () => reject(new Error('the follow connection failed'));
  });
  socket.onclose = () => {
    closed = true;
    if (wake) {
      wake();
    }
  };
  const stop = () => socket.close();
  controller.signal.addEventListener('abort', stop);
  // API Gateway closes a connection idle for 10 minutes
  const keepAlive = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('{"action":"ping"}'), 5 * 60 * 1000);
  let erased = false;
  try {
    await tail.catchUp(controller.signal);
    document.body.dataset.follow = 'push'; // connected and caught up: what comes now is pushed
    while (!controller.signal.aborted) {
      if (!queue.length) {
        if (closed) {
          return erased ? 'erased' : 'closed';
        }
        await new Promise((resolve) => { wake = resolve; });
        wake = null;
        continue;
      }
      const message = queue.shift();
      if (message.type === 'erased') {
        erased = true;
      } else if (message.type === 'appended' && message.through_seq > tail.position()) {
        await tail.catchUp(controller.signal);
      } else if (message.type === 'events') {
        tail.take(message.events);
        if (message.events.some((r) => r.seq > tail.position())) {
          await tail.catchUp(controller.signal); // a gap: a push was lost
        }
      }
    }
    return 'closed';
  } finally {
    clearInterval(keepAlive);
    controller.signal.removeEventListener('abort', stop);
    socket.close();
  }
}

async function follow(id, after) {
  const controller = new AbortController();
  state.tail = controller;
  const tail = makeTail(id, after);
  while (state.tail === controller) {
    try {
      $('live-state').textContent = 'following';
      delete document.body.dataset.follow;
      if (await followPushed(id, controller, tail) === 'erased') {
        $('live-state').textContent = 'erased';
        return;
      }
    } catch (e) {
      if (e.name === 'AbortError' || controller.signal.aborted) {
        return;
      }
      if ((e.status === 404 && e.code !== 'follow_unavailable') || e.status === 401 || e.status === 403) {
        $('live-state').textContent = 'stopped';
        showError(e);
        return;
      }
      // No push here (no follow API, or the connection refused): held reads for a minute, then push again.
      $('live-state').textContent = 'following (wait=)';
      document.body.dataset.follow = 'wait';
      const until = Date.now() + 60 * 1000;
      while (state.tail === controller && Date.now() < until) {
        try {
          await tail.waitOnce(controller.signal);
        } catch (error) {
          if (error.name === 'AbortError') {
            return;
          }
          $('live-state').textContent = 'stopped';
          showError(error);
          if (error.status === 404 || error.status === 401) {
            return;
          }
          await new Promise((r) => setTimeout(r, 2000));
        }
      }
    }
  }
}

function addLive(record) {
  const li = document.createElement('li');
  li.dataset.seq = record.seq;
  li.dataset.eventId = record.event_id;
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = 'seq ' + record.seq + ' · ' + (record.event && record.event.type) + ' · ' + record.event_id;
  b.addEventListener('click', () => {
    const pre = $('json');
    pre.textContent = JSON.stringify(record, null, 2);
    pre.hidden = false;
  });
  li.append(b);
  $('live').prepend(li);
  while ($('live').children.length > 50) {
    $('live').lastChild.remove();
  }
}

/** The materialized session follows its events a moment later (the recorder): fetch it until it has them. */
function refreshSoon(id, seq, attempt = 0) {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(async () => {
    try {
      const session = await api('/v1/sessions/' + encodeURIComponent(id));
      if (document.body.dataset.session !== id) {
        return;
      }
      prepare(session);
      renderSummary();
      renderAxis();
      renderLanes();
      if (session.recorded_through_seq < seq && attempt < 10) {
        refreshSoon(id, seq, attempt + 1);
      }
    } catch (e) {
      showError(e);
    }
  }, 400);
}

// ── routing and setup ────────────────────────────────────────────────────────────────────────

async function route() {
  showError(null);
  const match = location.hash.match(/^#\/s\/(.+)$/);
  try {
    if (match) {
      stopListFollow();
      await openSession(decodeURIComponent(match[1]));
    } else {
      stopTail();
      delete document.body.dataset.session;
      $('session-view').hidden = true;
      $('list-view').hidden = false;
      await loadSessions(false);
      followList();
    }
  } catch (e) {
    showError(e);
  }
}

function connect() {
  localStorage.setItem('sessionlog.tenant', $('tenant').value.trim());
  const token = $('token').value.trim();
  if (token) {
    sessionStorage.setItem('sessionlog.token', token);
  } else {
    sessionStorage.removeItem('sessionlog.token');
  }
  route();
}

document.addEventListener('DOMContentLoaded', () => {
  $('tenant').value = localStorage.getItem('sessionlog.tenant') || '';
  $('token').value = sessionStorage.getItem('sessionlog.token') || '';
  $('connect').addEventListener('click', connect);
  $('tenant').addEventListener('keydown', (e) => { if (e.key === 'Enter') { connect(); } });
  $('filter').addEventListener('submit', (e) => { e.preventDefault(); loadSessions(false).catch(showError); });
  $('more').addEventListener('click', () => loadSessions(true).catch(showError));
  $('timeline').addEventListener('scroll', onScroll);
  window.addEventListener('resize', () => { if (state.session) { renderAxis(); renderLanes(); } });
  window.addEventListener('hashchange', route);
  route();
});

import { crashLoopLimits, noteExit, parseTokens, type ExitRecords } from './crash-loop';

describe('crash-loop counting', () => {
  const limits = { exits: 3, windowSeconds: 60 };

  it('calls the third exit within the window a crash loop, and forgets exits older than the window', () => {
    const records: ExitRecords = {};
    expect(noteExit(records, 'dispatcher', 0, limits)).toBe(false);
    expect(noteExit(records, 'dispatcher', 30_000, limits)).toBe(false);
    // The first exit is 61 s old by now: two in the window.
    expect(noteExit(records, 'dispatcher', 61_000, limits)).toBe(false);
    expect(records.dispatcher).toEqual({ exits: [30_000, 61_000] });
    expect(noteExit(records, 'matcher', 62_000, limits)).toBe(false);
    expect(noteExit(records, 'dispatcher', 62_000, limits)).toBe(true);
    expect(records.dispatcher).toEqual({ exits: [30_000, 61_000, 62_000], stoppedAt: 62_000 });
  });

  it('reads its limits from the environment, refusing what makes no sense', () => {
    expect(crashLoopLimits({})).toEqual({ exits: 5, windowSeconds: 600 });
    expect(crashLoopLimits({ HOOKLINE_CRASH_LOOP_EXITS: '3', HOOKLINE_CRASH_LOOP_WINDOW_S: '120' })).toEqual({
      exits: 3,
      windowSeconds: 120,
    });
    expect(() => crashLoopLimits({ HOOKLINE_CRASH_LOOP_EXITS: '1' })).toThrow(
      'HOOKLINE_CRASH_LOOP_EXITS must be an integer from 2 to 1000, not "1"',
    );
    expect(() => crashLoopLimits({ HOOKLINE_CRASH_LOOP_WINDOW_S: 'soon' })).toThrow('HOOKLINE_CRASH_LOOP_WINDOW_S');
  });

  it("reads supervisord's event header and payload tokens", () => {
    expect(
      parseTokens('ver:3.0 server:supervisor serial:21 pool:crash-loop eventname:PROCESS_STATE_EXITED len:71\n'),
    ).toMatchObject({
      eventname: 'PROCESS_STATE_EXITED',
      len: '71',
    });
    expect(
      parseTokens('processname:dispatcher-2 groupname:dispatcher-2 from_state:RUNNING expected:0 pid:2766'),
    ).toEqual({
      processname: 'dispatcher-2',
      groupname: 'dispatcher-2',
      from_state: 'RUNNING',
      expected: '0',
      pid: '2766',
    });
  });
});

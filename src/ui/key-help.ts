/** The screen's keys, as /help lists them after the commands. */
export const KEY_HELP = [
  'keys: Enter sends the line (with the eol); Up/Down history; Tab completes; PgUp/PgDn scroll',
  '      Shift-Up/Down select a message (Esc: follow the end); Shift-Left/Right move the inspector offset',
  '      Ctrl-C cancels a running command, twice quits; Ctrl-L redraws',
];

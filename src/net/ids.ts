let last = 0;

/** Connection ids, 1, 2, 3... in the order channels open; `/use 2` names them. */
export function nextChannelId(): number {
  last += 1;
  return last;
}

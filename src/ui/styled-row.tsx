import { Text } from 'ink';
import { memo } from 'react';
import { styleProps } from './theme.js';
import type { Seg } from './traffic-rows.js';

/** One line of styled segments, never wrapped (the rows are already laid out to the width). */
export const StyledRow = memo(function StyledRow({ segs, plain }: { segs: Seg[]; plain: boolean }) {
  return (
    <Text wrap="truncate-end">
      {segs.map((s, i) => (
        <Text key={i} {...styleProps(s.style, plain)}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
});

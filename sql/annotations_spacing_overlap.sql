-- annotations_spacing_overlap: the first pair that tangermeme 1.6 pairwise_annotations_spacing
-- rejects (an overlap: the right annotation starts before the left one ends).
-- Within an example, annotations are ordered by start, and equal starts by descending input
-- row (rid) -- the later row is the left one, as in tangermeme. A row overlaps an earlier one
-- exactly when its start is below the running maximum of earlier ends.
WITH o AS (
    SELECT example_idx, start, "end", rid,
           max("end") OVER (
               PARTITION BY example_idx ORDER BY start, rid DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ) AS prev_end
    FROM ann
)
SELECT example_idx, start, "end", prev_end
FROM o
WHERE start < prev_end
ORDER BY example_idx, start
LIMIT 1

//! Go's `text/tabwriter` as kubectl's describers use it (padding 2, spaces): cells end at
//! tabs; consecutive lines that have a cell in a column are aligned in that column; a line
//! without that cell ends the column's block.

/// Aligns tab-separated text.
pub fn align(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    // widths[i][j]: width of column j for line i (0 when the line has no such cell).
    let mut widths: Vec<Vec<usize>> = lines
        .iter()
        .map(|c| vec![0; c.len().saturating_sub(1)])
        .collect();
    let max_cols = widths.iter().map(Vec::len).max().unwrap_or(0);
    for col in 0..max_cols {
        let mut start = 0;
        while start < lines.len() {
            if widths[start].len() <= col {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < lines.len() && widths[end].len() > col {
                end += 1;
            }
            let w = (start..end)
                .map(|i| lines[i][col].chars().count())
                .max()
                .unwrap_or(0)
                + 2;
            for row in widths.iter_mut().take(end).skip(start) {
                row[col] = w;
            }
            start = end;
        }
    }
    let mut out = String::new();
    for (cells, ws) in lines.iter().zip(&widths) {
        let mut line = String::new();
        for (j, cell) in cells.iter().enumerate() {
            if j < ws.len() {
                line.push_str(cell);
                line.push_str(&" ".repeat(ws[j].saturating_sub(cell.chars().count())));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_blocks_like_go() {
        let s = align(
            "Name:\tx\nMetrics:\t( current / target )\nConditions:\n  Type\tStatus\n  ----\t------\n",
        );
        assert_eq!(
            s,
            "Name:     x\nMetrics:  ( current / target )\nConditions:\n  Type  Status\n  ----  ------\n"
        );
    }
}

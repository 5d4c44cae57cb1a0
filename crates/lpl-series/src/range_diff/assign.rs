//! The linear assignment `git range-diff` solves: a port of git's
//! `linear-assignment.c` (Jonker and Volgenant, "A shortest augmenting path
//! algorithm for dense and sparse linear assignment problems", Computing
//! 38(4), 1987), kept step for step so that ties between equal costs are
//! broken exactly as git breaks them. A textbook Hungarian solver finds an
//! assignment of the same total cost, but not always the same one.

// The loops keep git's indices so that the port reads side by side with
// the C; as in C, a `for k in up..n` loop starts from `up` as it was.
#![allow(clippy::needless_range_loop, clippy::mut_range_bound)]

/// Solves the square assignment problem for `n` columns and `n` rows;
/// `cost[column + n * row]` is the cost of assigning `column` to `row`.
/// Returns, for each column, its row (-1 where git's walk leaves none).
pub(crate) fn compute_assignment(n: usize, cost: &[i64]) -> Vec<isize> {
    debug_assert_eq!(cost.len(), n * n);
    if n < 2 {
        return vec![0; n];
    }
    let c = |col: usize, row: usize| cost[col + n * row];
    // Unassigned is -1; during column reduction a row claimed more than once
    // is marked `-2 - column`.
    let mut column2row: Vec<isize> = vec![-1; n];
    let mut row2column: Vec<isize> = vec![-1; n];
    let mut v: Vec<i64> = vec![0; n];

    // Column reduction, last column first.
    for j in (0..n).rev() {
        let mut i1 = 0;
        for i in 1..n {
            if c(j, i1) > c(j, i) {
                i1 = i;
            }
        }
        v[j] = c(j, i1);
        if row2column[i1] == -1 {
            row2column[i1] = j as isize;
            column2row[j] = i1 as isize;
        } else {
            if row2column[i1] >= 0 {
                row2column[i1] = -2 - row2column[i1];
            }
            column2row[j] = -1;
        }
    }

    // Reduction transfer.
    let mut free_row: Vec<usize> = vec![0; n];
    let mut free_count = 0usize;
    for i in 0..n {
        let j1 = row2column[i];
        if j1 == -1 {
            free_row[free_count] = i;
            free_count += 1;
        } else if j1 < -1 {
            row2column[i] = -2 - j1;
        } else {
            let j1 = j1 as usize;
            let other = usize::from(j1 == 0);
            let mut min = c(other, i) - v[other];
            for j in 1..n {
                if j != j1 && min > c(j, i) - v[j] {
                    min = c(j, i) - v[j];
                }
            }
            v[j1] -= min;
        }
    }
    if free_count == 0 {
        return column2row;
    }

    // Augmenting row reduction, two phases.
    for _phase in 0..2 {
        let mut k = 0usize;
        let saved_free_count = free_count;
        free_count = 0;
        while k < saved_free_count {
            let i = free_row[k];
            k += 1;
            let mut j1 = 0usize;
            let mut u1 = c(j1, i) - v[j1];
            let mut j2: isize = -1;
            let mut u2 = i64::from(i32::MAX);
            for j in 1..n {
                let cc = c(j, i) - v[j];
                if u2 > cc {
                    if u1 < cc {
                        u2 = cc;
                        j2 = j as isize;
                    } else {
                        u2 = u1;
                        u1 = cc;
                        j2 = j1 as isize;
                        j1 = j;
                    }
                }
            }
            if j2 < 0 {
                j2 = j1 as isize;
                u2 = u1;
            }
            let mut i0 = column2row[j1];
            if u1 < u2 {
                v[j1] -= u2 - u1;
            } else if i0 >= 0 {
                j1 = j2 as usize;
                i0 = column2row[j1];
            }
            if i0 >= 0 {
                if u1 < u2 {
                    k -= 1;
                    free_row[k] = i0 as usize;
                } else {
                    free_row[free_count] = i0 as usize;
                    free_count += 1;
                }
            }
            row2column[i] = j1 as isize;
            column2row[j1] = i as isize;
        }
    }

    // Augmentation.
    let saved_free_count = free_count;
    let mut d: Vec<i64> = vec![0; n];
    let mut pred: Vec<usize> = vec![0; n];
    let mut col: Vec<usize> = vec![0; n];
    for f in 0..saved_free_count {
        let i1 = free_row[f];
        let (mut low, mut up) = (0usize, 0usize);
        let mut last;
        let mut min;
        for j in 0..n {
            d[j] = c(j, i1) - v[j];
            pred[j] = i1;
            col[j] = j;
        }
        // As in git, `j` keeps the last column looked at: when a free column
        // turns up among those at the minimum, the path is followed back
        // from that `j`, not necessarily from the free column itself.
        let mut j: isize = -1;
        let mut found_free: Option<usize> = None;
        'search: loop {
            last = low;
            min = d[col[up]];
            up += 1;
            for k in up..n {
                let jk = col[k];
                j = jk as isize;
                let cc = d[jk];
                if cc <= min {
                    if cc < min {
                        up = low;
                        min = cc;
                    }
                    col[k] = col[up];
                    col[up] = jk;
                    up += 1;
                }
            }
            for &ck in &col[low..up] {
                if column2row[ck] == -1 {
                    found_free = Some(ck);
                    break 'search;
                }
            }
            // Scan a row.
            loop {
                let j1 = col[low];
                low += 1;
                let i = column2row[j1] as usize;
                let u1 = c(j1, i) - v[j1] - min;
                for k in up..n {
                    let jk = col[k];
                    j = jk as isize;
                    let cc = c(jk, i) - v[jk] - u1;
                    if cc < d[jk] {
                        d[jk] = cc;
                        pred[jk] = i;
                        if cc == min {
                            if column2row[jk] == -1 {
                                break 'search;
                            }
                            col[k] = col[up];
                            col[up] = jk;
                            up += 1;
                        }
                    }
                }
                if low == up {
                    break;
                }
            }
        }
        // Updating of the column pieces.
        for &j1 in &col[..last] {
            v[j1] += d[j1] - min;
        }
        // Augmentation along the path. git stops with a BUG() where `j` is
        // negative; here the free column found stands in, and the walk is
        // bounded, so odd states end instead of looping.
        if j < 0 {
            j = found_free.map_or(-1, |f| f as isize);
        }
        let mut steps = 0;
        while j >= 0 && steps <= n {
            steps += 1;
            let ju = j as usize;
            let i = pred[ju];
            column2row[ju] = i as isize;
            j = row2column[i];
            row2column[i] = ju as isize;
            if i == i1 {
                break;
            }
        }
    }
    column2row
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs of git 2.47's `linear-assignment.c`, compiled on its own, for
    /// 300 matrices: random ones with many ties, and ones shaped like
    /// range-diff's (creation costs in the padding). Many of git's answers
    /// leave a column unassigned (-1): its augmentation starts from the
    /// last column it looked at rather than from the free column it found.
    /// The port must give the same answers, not better ones.
    #[test]
    fn same_answers_as_git() {
        let data = include_str!("../../tests/data/range_diff/lapjv-git-2.47.txt");
        let mut checked = 0;
        let mut unassigned = 0;
        for line in data.lines().filter(|l| !l.starts_with('#')) {
            let (input, expected) = line.split_once(" => ").expect("a test vector");
            let nums: Vec<i64> = input
                .split_whitespace()
                .map(|x| x.parse().expect("a number"))
                .collect();
            let n = nums[0] as usize;
            let expected: Vec<isize> = expected
                .split_whitespace()
                .map(|x| x.parse().expect("a number"))
                .collect();
            let got = compute_assignment(n, &nums[1..]);
            assert_eq!(got, expected, "{input}");
            unassigned += usize::from(got.contains(&-1));
            checked += 1;
        }
        assert_eq!(checked, 300);
        assert!(unassigned > 0, "the vectors cover git's unassigned columns");
    }

    #[test]
    fn optimal_without_ties() {
        // Distinct costs: git's solver is exact there.
        let n = 4;
        let cost: Vec<i64> = vec![9, 2, 7, 8, 6, 4, 3, 7, 5, 8, 1, 18, 7, 6, 10, 4];
        let got = compute_assignment(n, &cost);
        let total: i64 = got
            .iter()
            .enumerate()
            .map(|(col, &row)| cost[col + n * row as usize])
            .sum();
        assert_eq!(total, 13);
    }
}

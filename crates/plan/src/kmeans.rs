//! Deterministic k-means (Lloyd's iterations from evenly strided seeds), for
//! placing stations where no station file is given and for the "units
//! spread evenly" baseline.

use crate::deploy::Xy;

/// `k` centres of `points` (fewer when there are fewer distinct points).
pub fn kmeans(points: &[Xy], k: usize, iterations: usize) -> Vec<Xy> {
    if points.is_empty() || k == 0 {
        return Vec::new();
    }
    let mut sorted: Vec<Xy> = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let k = k.min(sorted.len());
    // Seeds strided through the points ordered along a space-filling-ish key.
    let mut keyed: Vec<(i64, Xy)> = sorted
        .iter()
        .map(|p| (((p.0 / 500.0) as i64) * 7919 + (p.1 / 500.0) as i64, *p))
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    let mut centres: Vec<Xy> = (0..k)
        .map(|i| keyed[(i * keyed.len()) / k + keyed.len() / (2 * k)].1)
        .collect();
    let mut sums = vec![(0.0, 0.0, 0usize); k];
    for _ in 0..iterations {
        sums.iter_mut().for_each(|s| *s = (0.0, 0.0, 0));
        for p in points {
            let nearest = nearest(&centres, *p);
            let s = &mut sums[nearest];
            s.0 += p.0;
            s.1 += p.1;
            s.2 += 1;
        }
        let mut moved = false;
        for (c, s) in centres.iter_mut().zip(&sums) {
            if s.2 > 0 {
                let next = (s.0 / s.2 as f64, s.1 / s.2 as f64);
                moved |= (next.0 - c.0).abs() + (next.1 - c.1).abs() > 1e-6;
                *c = next;
            }
        }
        if !moved {
            break;
        }
    }
    centres
}

fn nearest(centres: &[Xy], p: Xy) -> usize {
    let d = |c: &Xy| (c.0 - p.0).powi(2) + (c.1 - p.1).powi(2);
    (0..centres.len())
        .min_by(|&a, &b| d(&centres[a]).total_cmp(&d(&centres[b])))
        .expect("centres")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_two_clusters() {
        let mut points = Vec::new();
        for i in 0..50 {
            let f = f64::from(i);
            points.push((f, f % 7.0));
            points.push((10_000.0 + f, f % 5.0));
        }
        let mut c = kmeans(&points, 2, 50);
        c.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            (c[0].0 - 24.5).abs() < 1e-9 && (c[1].0 - 10_024.5).abs() < 1e-9,
            "{c:?}"
        );
    }
}

//! C2SP tlog-tiles layout: the tree's stored levels cut into tiles of 256
//! hashes; tile (L, N) holds the hashes of level 8L from index 256N, full
//! or partial (`.p/W`). Paths encode N in groups of three digits.

use crate::Tree;
use crate::tree::Hash;

pub const TILE_WIDTH: u64 = 256;

/// `x001/x234/067` for 1234067.
fn index_path(mut n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// The path of hash tile (level, index) of `width` hashes (256 = full).
pub fn tile_path(level: u8, index: u64, width: u64) -> String {
    let mut p = format!("tile/{level}/{}", index_path(index));
    if width < TILE_WIDTH {
        p.push_str(&format!(".p/{width}"));
    }
    p
}

/// Reads a tile path back: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`
/// (level `None`), rejecting anything not in the canonical form.
pub fn parse_tile_path(path: &str) -> Option<(Option<u8>, u64, u64)> {
    let rest = path.strip_prefix("tile/")?;
    let (level, rest) = rest.split_once('/')?;
    let level = if level == "entries" {
        None
    } else {
        Some(parse_small(level)?)
    };
    let (index, width) = parse_index_and_width(rest, TILE_WIDTH)?;
    Some((level, index, width))
}

/// The Go checksum database's tile path, with the tile height in it:
/// `tile/<H>/<L>/<N>[.p/<W>]`, data tiles at `tile/<H>/data/<N>` (level
/// `None`). A full tile holds 2^H hashes; C2SP fixes H at 8 and drops it.
pub fn go_tile_path(height: u8, level: Option<u8>, index: u64, width: u64) -> String {
    let level = level.map_or_else(|| "data".to_string(), |l| l.to_string());
    let mut p = format!("tile/{height}/{level}/{}", index_path(index));
    if width < 1 << height {
        p.push_str(&format!(".p/{width}"));
    }
    p
}

/// Reads a Go tile path back: (height, level, index, width); heights 1 to 30.
pub fn parse_go_tile_path(path: &str) -> Option<(u8, Option<u8>, u64, u64)> {
    let rest = path.strip_prefix("tile/")?;
    let (height, rest) = rest.split_once('/')?;
    let height = parse_small(height).filter(|h| (1..=30).contains(h))?;
    let (level, rest) = rest.split_once('/')?;
    let level = if level == "data" {
        None
    } else {
        Some(parse_small(level)?)
    };
    let (index, width) = parse_index_and_width(rest, 1 << height)?;
    Some((height, level, index, width))
}

/// A small decimal number written without sign or leading zeros.
fn parse_small(s: &str) -> Option<u8> {
    let n: u8 = s.parse().ok()?;
    (n.to_string() == s).then_some(n)
}

/// `x001/x234/067[.p/W]` for tiles whose full width is `full`.
fn parse_index_and_width(rest: &str, full: u64) -> Option<(u64, u64)> {
    let (index, width) = match rest.split_once(".p/") {
        Some((i, w)) => {
            let n: u64 = w.parse().ok()?;
            ((1..full).contains(&n) && n.to_string() == w).then_some((i, n))?
        }
        None => (rest, full),
    };
    let mut n = 0u64;
    let groups: Vec<&str> = index.split('/').collect();
    for (k, g) in groups.iter().enumerate() {
        let digits = if k + 1 < groups.len() { g.strip_prefix('x')? } else { g };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits.parse::<u64>().ok()?)?;
    }
    (index_path(n) == index).then_some((n, width))
}

/// Every tile of a tree of `size` leaves: (level, index, width).
pub fn tiles_for(size: u64) -> Vec<(u8, u64, u64)> {
    let mut out = Vec::new();
    let mut level = 0u8;
    let mut count = size; // hashes at tree level 8 * level
    while count > 0 {
        for n in 0..count / TILE_WIDTH {
            out.push((level, n, TILE_WIDTH));
        }
        if !count.is_multiple_of(TILE_WIDTH) {
            out.push((level, count / TILE_WIDTH, count % TILE_WIDTH));
        }
        count /= TILE_WIDTH;
        level += 1;
    }
    out
}

impl Tree {
    /// The hashes of tile (level, index) with `width` hashes, when the tree holds them.
    pub fn tile(&self, level: u8, index: u64, width: u64) -> Option<Vec<Hash>> {
        let k = 8 * usize::from(level);
        let start = (index * TILE_WIDTH) as usize;
        let stored = self.level(k)?;
        stored.get(start..start + width as usize).map(<[Hash]>::to_vec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaf_hash;

    #[test]
    fn paths_and_tiles_of_a_tree() {
        assert_eq!(tile_path(0, 1_234_067, 256), "tile/0/x001/x234/067");
        assert_eq!(tile_path(1, 0, 17), "tile/1/000.p/17");
        let t = tiles_for(70_000);
        assert_eq!(t.iter().filter(|x| x.0 == 0 && x.2 == 256).count(), 273);
        assert!(t.contains(&(0, 273, 112)) && t.contains(&(1, 1, 17)) && t.contains(&(2, 0, 1)));
        let mut tree = Tree::new();
        for i in 0..600u32 {
            tree.push(leaf_hash(&i.to_be_bytes()));
        }
        // Level-1 tile 0 (width 2) holds the roots of the first two runs of 256 leaves.
        let top = tree.tile(1, 0, 2).unwrap();
        assert_eq!(
            top[0],
            crate::root(&(0..256u32).map(|i| leaf_hash(&i.to_be_bytes())).collect::<Vec<_>>())
        );
        assert_eq!(tree.tile(0, 2, 88).unwrap().len(), 88);
        assert!(tree.tile(0, 2, 89).is_none());
        assert_eq!(parse_tile_path("tile/0/x001/x234/067"), Some((Some(0), 1_234_067, 256)));
        assert_eq!(parse_tile_path("tile/1/000.p/17"), Some((Some(1), 0, 17)));
        assert_eq!(parse_tile_path("tile/entries/001"), Some((None, 1, 256)));
        for bad in [
            "tile/0/1",
            "tile/0/x000/001",
            "tile/00/000",
            "tile/0/000.p/256",
            "tile/0/000.p/0",
            "x/0/000",
        ] {
            assert_eq!(parse_tile_path(bad), None, "{bad}");
        }
    }
}

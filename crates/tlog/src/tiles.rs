//! C2SP tlog-tiles layout: the tree's stored levels cut into tiles of 256
//! hashes; tile (L, N) holds the hashes of level 8L from index 256N, full
//! or partial (`.p/W`). Paths encode N in groups of three digits.

use crate::Tree;
use crate::nodes::Nodes;
use crate::tree::{Hash, node_hash};
use std::cell::RefCell;
use std::collections::HashMap;

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

/// The root of a perfect tree over `hashes` (a power of two of them).
fn perfect_root(hashes: &[Hash]) -> Hash {
    debug_assert!(hashes.len().is_power_of_two());
    let mut level = hashes.to_vec();
    while level.len() > 1 {
        level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    level[0]
}

/// A tile as (level, index, hashes).
pub type GrownTile = (u8, u64, Vec<Hash>);

/// The tiles that change when `new_leaves` are appended to a tree of
/// `old_size` leaves: each level's last partial tile grown, and new ones,
/// as (level, index, hashes). `stored(level, index)` returns a tile as
/// stored so far (the last one of each level may be partial); only the
/// partial tile at the edge of each level is read.
pub fn append<E>(
    old_size: u64,
    new_leaves: &[Hash],
    mut stored: impl FnMut(u8, u64) -> Result<Vec<Hash>, E>,
) -> Result<Vec<GrownTile>, TileError<E>> {
    let mut out = Vec::new();
    let (mut level, mut before, mut fresh) = (0u8, old_size, new_leaves.to_vec());
    while !fresh.is_empty() {
        let first = before / TILE_WIDTH;
        let kept = (before % TILE_WIDTH) as usize;
        let mut hashes = if kept == 0 {
            Vec::new()
        } else {
            let tile = stored(level, first).map_err(TileError::Source)?;
            if tile.len() < kept {
                return Err(TileError::Missing { level, index: first });
            }
            tile[..kept].to_vec()
        };
        hashes.extend_from_slice(&fresh);
        fresh = Vec::new();
        for (n, chunk) in hashes.chunks(TILE_WIDTH as usize).enumerate() {
            if chunk.len() == TILE_WIDTH as usize {
                fresh.push(perfect_root(chunk));
            }
            out.push((level, first + n as u64, chunk.to_vec()));
        }
        before /= TILE_WIDTH;
        level += 1;
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError<E> {
    #[error("tile {level}/{index} is missing or shorter than the tree needs")]
    Missing { level: u8, index: u64 },
    #[error(transparent)]
    Source(E),
}

/// A tree of `size` leaves read from its tiles on demand (each tile once):
/// heads and proofs through [`Nodes`] at the cost of a few tile reads.
pub struct TiledNodes<F> {
    size: u64,
    fetch: F,
    cache: RefCell<HashMap<(u8, u64), Vec<Hash>>>,
}

impl<F, E> TiledNodes<F>
where
    F: Fn(u8, u64) -> Result<Vec<Hash>, E>,
{
    /// `fetch(level, index)` returns the stored hashes of a tile, full or partial.
    pub fn new(size: u64, fetch: F) -> Self {
        Self {
            size,
            fetch,
            cache: RefCell::new(HashMap::new()),
        }
    }
}

impl<F, E> Nodes for TiledNodes<F>
where
    F: Fn(u8, u64) -> Result<Vec<Hash>, E>,
{
    type Error = TileError<E>;

    fn size(&self) -> u64 {
        self.size
    }

    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        let tile_level = u8::try_from(level / 8).map_err(|_| TileError::Missing { level: 255, index })?;
        let width = 1usize << (level % 8);
        let first = index << (level % 8);
        let (tile, offset) = (first / TILE_WIDTH, (first % TILE_WIDTH) as usize);
        let mut cache = self.cache.borrow_mut();
        let hashes = match cache.entry((tile_level, tile)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert((self.fetch)(tile_level, tile).map_err(TileError::Source)?)
            }
        };
        let run = hashes.get(offset..offset + width).ok_or(TileError::Missing {
            level: tile_level,
            index: tile,
        })?;
        Ok(perfect_root(run))
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
            "tile/256/000",
            "tile/0/x000/001",
            "tile/00/000",
            "tile/0/000.p/256",
            "tile/0/000.p/0",
            "x/0/000",
        ] {
            assert_eq!(parse_tile_path(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// Tiles grown batch by batch equal the tiles of the whole tree, and
        /// heads and proofs read from them equal the in-memory tree's.
        #[test]
        fn tiles_grow_by_append(sizes in proptest::collection::vec(1usize..700, 1..5), probe in 0u64..5000) {
            let mut tree = Tree::new();
            let mut stored: HashMap<(u8, u64), Vec<Hash>> = HashMap::new();
            let mut n = 0u64;
            for (b, count) in sizes.iter().enumerate() {
                let leaves: Vec<Hash> = (0..*count).map(|i| leaf_hash(&[b as u8, (i % 256) as u8, (i / 256) as u8])).collect();
                let changed = append(n, &leaves, |l, i| Ok::<_, ()>(stored.get(&(l, i)).cloned().unwrap_or_default())).unwrap();
                for (l, i, h) in changed {
                    stored.insert((l, i), h);
                }
                for l in leaves {
                    tree.push(l);
                }
                n = tree.size();
            }
            for (l, i, w) in tiles_for(n) {
                proptest::prop_assert_eq!(stored.get(&(l, i)).map(Vec::len), Some(w as usize));
                proptest::prop_assert_eq!(tree.tile(l, i, w).unwrap(), stored[&(l, i)].clone());
            }
            let tiled = TiledNodes::new(n, |l, i| stored.get(&(l, i)).cloned().ok_or(()));
            let size = 1 + probe % n;
            proptest::prop_assert_eq!(tiled.head(size).unwrap(), tree.root(size));
            let index = probe % size;
            proptest::prop_assert_eq!(tiled.prove_subtree_inclusion(index, 0, size).unwrap(), tree.inclusion_proof(index, size));
            let old = 1 + (probe / 7) % size;
            proptest::prop_assert_eq!(tiled.prove_subtree_consistency(0, old, size).unwrap(), tree.consistency_proof(old, size));
        }
    }
}

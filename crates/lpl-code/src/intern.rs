//! Name interning during an index run: millions of names (the kernel's
//! register headers define 5M macros), kept in one byte arena with an
//! open-addressing table of ids, about 40 bytes a name instead of the 90
//! of a `HashMap<String, u32>`.

/// Maps names to ids (database row ids, assigned by the caller).
pub(crate) struct Interner {
    arena: Vec<u8>,
    /// End of each name in `arena`, by slot index.
    ends: Vec<u32>,
    /// The database id of each name, by slot index.
    ids: Vec<i64>,
    /// Open addressing: slot index + 1, 0 for empty.
    table: Vec<u32>,
}

fn hash(b: &[u8]) -> u64 {
    // FNV-1a: names are short; good enough spread for linear probing.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in b {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

impl Interner {
    pub(crate) fn new() -> Self {
        Interner {
            arena: Vec::new(),
            ends: Vec::new(),
            ids: Vec::new(),
            table: vec![0; 1024],
        }
    }

    fn name(&self, slot: usize) -> &[u8] {
        let start = if slot == 0 {
            0
        } else {
            self.ends[slot - 1] as usize
        };
        &self.arena[start..self.ends[slot] as usize]
    }

    fn find_slot(&self, name: &[u8]) -> (usize, Option<usize>) {
        let mask = self.table.len() - 1;
        let mut i = hash(name) as usize & mask;
        loop {
            match self.table[i] {
                0 => return (i, None),
                s => {
                    let slot = s as usize - 1;
                    if self.name(slot) == name {
                        return (i, Some(slot));
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The id of `name`, if interned.
    pub(crate) fn get(&self, name: &str) -> Option<i64> {
        self.find_slot(name.as_bytes()).1.map(|s| self.ids[s])
    }

    /// Interns `name` with `id` (which must be new).
    pub(crate) fn insert(&mut self, name: &str, id: i64) {
        if (self.ids.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let (i, found) = self.find_slot(name.as_bytes());
        if found.is_some() {
            return;
        }
        self.arena.extend_from_slice(name.as_bytes());
        self.ends.push(self.arena.len() as u32);
        self.ids.push(id);
        self.table[i] = self.ids.len() as u32;
    }

    fn grow(&mut self) {
        let n = self.table.len() * 2;
        self.table = vec![0; n];
        let mask = n - 1;
        for slot in 0..self.ids.len() {
            let mut i = hash(self.name(slot)) as usize & mask;
            while self.table[i] != 0 {
                i = (i + 1) & mask;
            }
            self.table[i] = slot as u32 + 1;
        }
    }

    /// Names interned.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_many() {
        let mut i = Interner::new();
        for k in 0..5000 {
            i.insert(&format!("name_{k}"), k);
        }
        i.insert("name_7", 99);
        assert_eq!(i.len(), 5000);
        assert_eq!(i.get("name_4999"), Some(4999));
        assert_eq!(i.get("name_7"), Some(7));
        assert_eq!(i.get("nope"), None);
    }
}

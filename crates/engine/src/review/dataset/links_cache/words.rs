//! The words of a copy: reads at an offset, length-prefixed pieces, and
//! the checksum every part of a copy is summed with.

use std::fs::File;
use std::io::{self, Read, Write};

/// Fills `buffer` from `offset` of `file`, not moving its cursor (the
/// hashing threads share one handle).
#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

/// Fills `buffer` from `offset` of `file` (Windows moves the cursor;
/// every read gives its offset).
#[cfg(windows)]
pub(super) fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buffer.is_empty() {
        match file.seek_read(buffer, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Writes `n` little-endian, summed.
pub(super) fn write_u64(out: &mut impl Write, sum: &mut Checksum, n: u64) -> io::Result<()> {
    let bytes = n.to_le_bytes();
    sum.add(&bytes);
    out.write_all(&bytes)
}

/// Writes `piece` after its length, summed.
pub(super) fn write_piece(
    out: &mut impl Write,
    sum: &mut Checksum,
    piece: &[u8],
) -> io::Result<()> {
    write_u64(out, sum, piece.len() as u64)?;
    sum.add(piece);
    out.write_all(piece)
}

/// A little-endian `u64` at the cursor, summed.
pub(super) fn read_u64(file: &mut File, sum: &mut Checksum) -> Option<u64> {
    let mut bytes = [0u8; 8];
    file.read_exact(&mut bytes).ok()?;
    sum.add(&bytes);
    Some(u64::from_le_bytes(bytes))
}

/// A length-prefixed piece of at most `max` bytes.
pub(super) fn read_piece(file: &mut File, sum: &mut Checksum, max: u64) -> Option<Vec<u8>> {
    let len = read_u64(file, sum)?;
    if len > max {
        return None;
    }
    let mut piece = vec![0u8; len as usize];
    file.read_exact(&mut piece).ok()?;
    sum.add(&piece);
    Some(piece)
}

/// A fast sum over the copy's bytes: a changed word always changes it
/// (each step is invertible), and four lanes keep it near memory speed.
/// Pieces must be added in the same sizes when written and read.
#[derive(Default)]
pub(super) struct Checksum {
    lanes: [u64; 4],
    pieces: u64,
}

impl Checksum {
    const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

    fn step(lane: u64, word: u64) -> u64 {
        (lane ^ word).wrapping_mul(Self::MULTIPLIER).rotate_left(31)
    }

    /// Adds `piece` (as one piece: the same sizes when read as written).
    pub(super) fn add(&mut self, piece: &[u8]) {
        let mut blocks = piece.chunks_exact(32);
        for block in &mut blocks {
            for (lane, word) in self.lanes.iter_mut().zip(block.chunks_exact(8)) {
                *lane = Self::step(*lane, u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
            }
        }
        let mut tail = [0u8; 32];
        let rest = blocks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        tail[31] = rest.len() as u8;
        for (lane, word) in self.lanes.iter_mut().zip(tail.chunks_exact(8)) {
            *lane = Self::step(*lane, u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        }
        self.pieces += 1;
    }

    /// The sum of what was added.
    pub(super) fn finish(&self) -> u64 {
        (self.lanes.iter()).fold(self.pieces, |sum, lane| Self::step(sum, *lane))
    }
}

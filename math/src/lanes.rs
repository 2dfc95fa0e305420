//! Four u32 lanes, and two u64 lanes of their products: simd128's `v128`
//! in wasm, arrays elsewhere.
//!
//! The transform ([`crate::ntt`]) and the small products
//! ([`crate::karatsuba`]) are written once over these operations. The
//! array form is the same arithmetic lane by lane, so that native tests
//! check the very algorithm the component runs (and a wasm build without
//! `simd128` still works).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    /// Four u32 lanes.
    #[derive(Clone, Copy)]
    pub struct Lanes(v128);

    impl Lanes {
        #[inline(always)]
        pub fn splat(x: u32) -> Lanes {
            Lanes(u32x4_splat(x))
        }

        /// `[a, a, b, b]`.
        #[inline(always)]
        pub fn pairs(a: u32, b: u32) -> Lanes {
            Lanes(u32x4(a, a, b, b))
        }

        #[inline(always)]
        pub fn load(from: &[u32; 4]) -> Lanes {
            // SAFETY: `from` is 16 readable bytes; wasm loads need no alignment.
            Lanes(unsafe { v128_load(from.as_ptr().cast()) })
        }

        #[inline(always)]
        pub fn store(self, to: &mut [u32; 4]) {
            // SAFETY: `to` is 16 writable bytes; wasm stores need no alignment.
            unsafe { v128_store(to.as_mut_ptr().cast(), self.0) }
        }

        #[inline(always)]
        pub fn add(self, other: Lanes) -> Lanes {
            Lanes(i32x4_add(self.0, other.0))
        }

        #[inline(always)]
        pub fn sub(self, other: Lanes) -> Lanes {
            Lanes(i32x4_sub(self.0, other.0))
        }

        /// The low 32 bits of each product.
        #[inline(always)]
        pub fn mul_low(self, other: Lanes) -> Lanes {
            Lanes(i32x4_mul(self.0, other.0))
        }

        /// The high 32 bits of each 64-bit product: two 32×32→64-bit
        /// products per instruction, then the high halves picked out.
        #[inline(always)]
        pub fn mul_high(self, other: Lanes) -> Lanes {
            let low = u64x2_extmul_low_u32x4(self.0, other.0);
            let high = u64x2_extmul_high_u32x4(self.0, other.0);
            Lanes(i32x4_shuffle::<1, 3, 5, 7>(low, high))
        }

        /// The unsigned minimum of each pair of lanes.
        #[inline(always)]
        pub fn min(self, other: Lanes) -> Lanes {
            Lanes(u32x4_min(self.0, other.0))
        }

        /// u32::MAX in each lane that is not zero, else 0.
        #[inline(always)]
        pub fn nonzero_mask(self) -> Lanes {
            Lanes(i32x4_ne(self.0, u32x4_splat(0)))
        }

        /// `[a0, a1, b0, b1]`.
        #[inline(always)]
        pub fn low_halves(a: Lanes, b: Lanes) -> Lanes {
            Lanes(i32x4_shuffle::<0, 1, 4, 5>(a.0, b.0))
        }

        /// `[a2, a3, b2, b3]`.
        #[inline(always)]
        pub fn high_halves(a: Lanes, b: Lanes) -> Lanes {
            Lanes(i32x4_shuffle::<2, 3, 6, 7>(a.0, b.0))
        }

        /// `[a0, a2, b0, b2]`.
        #[inline(always)]
        pub fn evens(a: Lanes, b: Lanes) -> Lanes {
            Lanes(i32x4_shuffle::<0, 2, 4, 6>(a.0, b.0))
        }

        /// `[a1, a3, b1, b3]`.
        #[inline(always)]
        pub fn odds(a: Lanes, b: Lanes) -> Lanes {
            Lanes(i32x4_shuffle::<1, 3, 5, 7>(a.0, b.0))
        }

        /// `[a0, b0, a1, b1]`.
        #[inline(always)]
        pub fn interleave_low(a: Lanes, b: Lanes) -> Lanes {
            Lanes(i32x4_shuffle::<0, 4, 1, 5>(a.0, b.0))
        }

        /// `[a2, b2, a3, b3]`.
        #[inline(always)]
        pub fn interleave_high(a: Lanes, b: Lanes) -> Lanes {
            Lanes(i32x4_shuffle::<2, 6, 3, 7>(a.0, b.0))
        }
    }

    /// Two u64 lanes.
    #[derive(Clone, Copy)]
    pub struct Wide(v128);

    impl Wide {
        #[inline(always)]
        pub fn zero() -> Wide {
            Wide(u64x2_splat(0))
        }

        /// `[x, x]`.
        #[inline(always)]
        pub fn splat(x: u32) -> Wide {
            Wide(u64x2_splat(u64::from(x)))
        }

        /// `[from[0], from[1]]`, widened as they are loaded.
        #[inline(always)]
        pub fn load_widened(from: &[u32; 2]) -> Wide {
            // SAFETY: `from` is 8 readable bytes; the load has no
            // alignment requirement.
            Wide(unsafe { u64x2_load_extend_u32x2(from.as_ptr()) })
        }

        /// `[a0·b0, a1·b1]` for lanes below 2^32: each exact.
        #[inline(always)]
        pub fn narrow_products(a: Wide, b: Wide) -> Wide {
            Wide(i64x2_mul(a.0, b.0))
        }

        /// The high 32 bits of each lane.
        #[inline(always)]
        pub fn high_halves(self) -> Wide {
            Wide(u64x2_shr(self.0, 32))
        }

        #[inline(always)]
        pub fn add(self, other: Wide) -> Wide {
            Wide(i64x2_add(self.0, other.0))
        }

        #[inline(always)]
        pub fn to_array(self) -> [u64; 2] {
            [
                u64x2_extract_lane::<0>(self.0),
                u64x2_extract_lane::<1>(self.0),
            ]
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod imp {
    /// Four u32 lanes.
    #[derive(Clone, Copy)]
    pub struct Lanes([u32; 4]);

    impl Lanes {
        #[inline(always)]
        fn each(self, other: Lanes, f: impl Fn(u32, u32) -> u32) -> Lanes {
            Lanes(core::array::from_fn(|i| f(self.0[i], other.0[i])))
        }

        #[inline(always)]
        fn pick(a: Lanes, b: Lanes, indices: [usize; 4]) -> Lanes {
            let both = [a.0, b.0];
            Lanes(indices.map(|i| both[i / 4][i % 4]))
        }

        #[inline(always)]
        pub fn splat(x: u32) -> Lanes {
            Lanes([x; 4])
        }

        /// `[a, a, b, b]`.
        #[inline(always)]
        pub fn pairs(a: u32, b: u32) -> Lanes {
            Lanes([a, a, b, b])
        }

        #[inline(always)]
        pub fn load(from: &[u32; 4]) -> Lanes {
            Lanes(*from)
        }

        #[inline(always)]
        pub fn store(self, to: &mut [u32; 4]) {
            *to = self.0;
        }

        #[inline(always)]
        pub fn add(self, other: Lanes) -> Lanes {
            self.each(other, u32::wrapping_add)
        }

        #[inline(always)]
        pub fn sub(self, other: Lanes) -> Lanes {
            self.each(other, u32::wrapping_sub)
        }

        /// The low 32 bits of each product.
        #[inline(always)]
        pub fn mul_low(self, other: Lanes) -> Lanes {
            self.each(other, u32::wrapping_mul)
        }

        /// The high 32 bits of each 64-bit product.
        #[inline(always)]
        pub fn mul_high(self, other: Lanes) -> Lanes {
            self.each(other, |a, b| ((u64::from(a) * u64::from(b)) >> 32) as u32)
        }

        /// The unsigned minimum of each pair of lanes.
        #[inline(always)]
        pub fn min(self, other: Lanes) -> Lanes {
            self.each(other, u32::min)
        }

        /// u32::MAX in each lane that is not zero, else 0.
        #[inline(always)]
        pub fn nonzero_mask(self) -> Lanes {
            Lanes(self.0.map(|x| if x == 0 { 0 } else { u32::MAX }))
        }

        /// `[a0, a1, b0, b1]`.
        #[inline(always)]
        pub fn low_halves(a: Lanes, b: Lanes) -> Lanes {
            Lanes::pick(a, b, [0, 1, 4, 5])
        }

        /// `[a2, a3, b2, b3]`.
        #[inline(always)]
        pub fn high_halves(a: Lanes, b: Lanes) -> Lanes {
            Lanes::pick(a, b, [2, 3, 6, 7])
        }

        /// `[a0, a2, b0, b2]`.
        #[inline(always)]
        pub fn evens(a: Lanes, b: Lanes) -> Lanes {
            Lanes::pick(a, b, [0, 2, 4, 6])
        }

        /// `[a1, a3, b1, b3]`.
        #[inline(always)]
        pub fn odds(a: Lanes, b: Lanes) -> Lanes {
            Lanes::pick(a, b, [1, 3, 5, 7])
        }

        /// `[a0, b0, a1, b1]`.
        #[inline(always)]
        pub fn interleave_low(a: Lanes, b: Lanes) -> Lanes {
            Lanes::pick(a, b, [0, 4, 1, 5])
        }

        /// `[a2, b2, a3, b3]`.
        #[inline(always)]
        pub fn interleave_high(a: Lanes, b: Lanes) -> Lanes {
            Lanes::pick(a, b, [2, 6, 3, 7])
        }
    }

    /// Two u64 lanes.
    #[derive(Clone, Copy)]
    pub struct Wide([u64; 2]);

    impl Wide {
        #[inline(always)]
        pub fn zero() -> Wide {
            Wide([0; 2])
        }

        /// `[x, x]`.
        #[inline(always)]
        pub fn splat(x: u32) -> Wide {
            Wide([u64::from(x); 2])
        }

        /// `[from[0], from[1]]`, widened as they are loaded.
        #[inline(always)]
        pub fn load_widened(from: &[u32; 2]) -> Wide {
            Wide(from.map(u64::from))
        }

        /// `[a0·b0, a1·b1]` for lanes below 2^32: each exact.
        #[inline(always)]
        pub fn narrow_products(a: Wide, b: Wide) -> Wide {
            debug_assert!(a.0.iter().chain(&b.0).all(|&x| x >> 32 == 0));
            Wide([a.0[0] * b.0[0], a.0[1] * b.0[1]])
        }

        /// The high 32 bits of each lane.
        #[inline(always)]
        pub fn high_halves(self) -> Wide {
            Wide(self.0.map(|x| x >> 32))
        }

        #[inline(always)]
        pub fn add(self, other: Wide) -> Wide {
            Wide([
                self.0[0].wrapping_add(other.0[0]),
                self.0[1].wrapping_add(other.0[1]),
            ])
        }

        #[inline(always)]
        pub fn to_array(self) -> [u64; 2] {
            self.0
        }
    }
}

pub use imp::{Lanes, Wide};

//! Run-time AVX2 dispatch for the numeric kernels (K-Means, k-means++,
//! silhouette, correlation and PCA), written once.
//!
//! A kernel is written as portable Rust with a fixed operation order; the
//! dispatcher runs a copy of it compiled with AVX2 where the CPU has it
//! (checked at run time, so one binary runs on any x86-64). No FMA is
//! enabled, so both copies give the same bits.

/// Whether the AVX2 build of the hot loops can run here.
#[inline]
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Defines a function that runs an AVX2 build where the CPU supports it and
/// the portable build elsewhere.
///
/// `fn name(args) -> ret = body;` compiles `body` (an `#[inline(always)]`
/// portable function with the same arguments) twice, once with AVX2 enabled.
///
/// `fn name(args) -> ret => avx2: a, portable: p;` calls `a` (a
/// `#[target_feature(enable = "avx2")]` function, x86-64 only) or `p`.
macro_rules! avx2_dispatch {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$($g:ident: $bound:path),+>)?
            ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $body:path;
    ) => {
        $(#[$attr])*
        $vis fn $name $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2 $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if $crate::pipeline::simd::has_avx2() {
                    // SAFETY: the CPU supports AVX2 (checked at run time just above).
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident $(<$($g:ident: $bound:path),+>)?
            ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?
            => avx2: $avx2:path, portable: $portable:path;
    ) => {
        $(#[$attr])*
        $vis fn $name $(<$($g: $bound),+>)? ($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            if $crate::pipeline::simd::has_avx2() {
                // SAFETY: the CPU supports AVX2 (checked at run time just above).
                return unsafe { $avx2($($arg),*) };
            }
            $portable($($arg),*)
        }
    };
}
pub(crate) use avx2_dispatch;

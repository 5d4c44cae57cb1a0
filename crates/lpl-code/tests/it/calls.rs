//! Call edges checked by reading the 6.12 source.

use lpl_code::Edge;

use crate::kernel::index;

/// Whether `from`'s callees include `to` by the given kind of edge.
fn edge(from: &str, to: &str) -> Option<Edge> {
    let c = index().callees(from, None).expect("callees");
    c.callees.into_iter().find(|c| c.name == to).map(|c| c.edge)
}

#[test]
fn the_madvise_path_of_6_12() {
    // The roadmap's chain: do_madvise -> ... -> zap_pte_range, through the
    // function pointer madvise_walk_vmas calls (its `visit` argument).
    let chain = [
        "sys_madvise",
        "do_madvise",
        "madvise_walk_vmas",
        "madvise_vma_behavior",
        "madvise_dontneed_free",
        "madvise_dontneed_single_vma",
        "zap_page_range_single",
        "unmap_single_vma",
        "unmap_page_range",
        "zap_p4d_range",
        "zap_pud_range",
        "zap_pmd_range",
        "zap_pte_range",
    ];
    for w in chain.windows(2) {
        let e = edge(w[0], w[1]);
        if w[1] == "madvise_vma_behavior" {
            assert_eq!(
                e,
                Some(Edge::PassedTo {
                    via: "madvise_walk_vmas".into(),
                    arg: 4
                }),
                "{} -(maybe)-> {}",
                w[0],
                w[1]
            );
        } else {
            assert_eq!(e, Some(Edge::Call), "{} -> {}", w[0], w[1]);
        }
    }
    // The maybe edge as a caller sees it: do_madvise passes it to
    // madvise_walk_vmas, which calls its 5th parameter.
    let callers = index()
        .callers("madvise_vma_behavior", None)
        .expect("callers");
    assert!(
        callers.sites.iter().any(|s| s.from == "do_madvise"
            && s.edge
                == Edge::PassedTo {
                    via: "madvise_walk_vmas".into(),
                    arg: 4
                }),
        "{callers:?}"
    );
    // And the whole chain as `tree --to` finds it.
    let path = index()
        .call_path(
            "sys_madvise",
            "zap_pte_range",
            None,
            lpl_code::TreeOptions {
                depth: 14,
                ..Default::default()
            },
        )
        .expect("path")
        .expect("reached");
    let mut n = &path.root;
    let mut walked = vec![n.name.clone()];
    while let Some(c) = n.children.first() {
        walked.push(c.name.clone());
        n = c;
    }
    assert_eq!(
        walked.last().map(String::as_str),
        Some("zap_pte_range"),
        "{walked:?}"
    );
}

#[test]
fn twenty_more_edges_read_from_the_source() {
    // Each pair was checked by reading the function's body in 6.12
    // (file:line of the call).
    let edges = [
        ("split_page_memcg", "css_get_many"),     // mm/memcontrol.c:3072
        ("kernel_clone", "copy_process"),         // kernel/fork.c
        ("copy_process", "dup_task_struct"),      // kernel/fork.c (__latent_entropy masked)
        ("do_mmap", "mmap_region"),               // mm/mmap.c
        ("handle_mm_fault", "__handle_mm_fault"), // mm/memory.c
        ("__handle_mm_fault", "handle_pte_fault"), // mm/memory.c
        ("handle_pte_fault", "do_pte_missing"),   // mm/memory.c
        ("__alloc_pages_noprof", "get_page_from_freelist"), // mm/page_alloc.c
        ("shrink_node", "shrink_node_memcgs"),    // mm/vmscan.c
        ("split_huge_page_to_list_to_order", "__split_huge_page"), // mm/huge_memory.c:3710
        ("__split_huge_page", "split_page_memcg"), // mm/huge_memory.c
        ("try_to_unmap", "rmap_walk"),            // mm/rmap.c
        ("schedule", "__schedule_loop"),          // kernel/sched/core.c
        ("khugepaged", "khugepaged_do_scan"),     // mm/khugepaged.c
        ("kmem_cache_free", "slab_free"),         // mm/slub.c
        ("filemap_fault", "filemap_read_folio"),  // mm/filemap.c
        ("do_exit", "exit_mm"),                   // kernel/exit.c
        ("__mem_cgroup_charge", "charge_memcg"),  // mm/memcontrol.c
        ("wp_page_copy", "folio_prealloc"),       // mm/memory.c
        ("do_anonymous_page", "alloc_anon_folio"), // mm/memory.c
        ("exit_mmap", "unmap_vmas"),              // mm/mmap.c
    ];
    let missing: Vec<_> = edges
        .iter()
        .filter(|(a, b)| edge(a, b) != Some(Edge::Call))
        .collect();
    assert!(missing.is_empty(), "edges not found: {missing:?}");
    // And the other way round, from the callee.
    for (a, b) in edges {
        let c = index().callers(b, None).expect("callers");
        assert!(
            c.sites.iter().any(|s| s.from == a && s.edge == Edge::Call),
            "{a} not among the callers of {b}"
        );
    }
}

#[test]
fn for_each_loops_and_keywords_are_not_calls() {
    let c = index().callees("zap_pte_range", None).expect("callees");
    assert!(
        !c.callees
            .iter()
            .any(|c| c.name.contains("for_each") || c.name == "if" || c.name == "sizeof")
    );
    // A function-like macro that leads to a function is kept in trees:
    // zap_pte_range maps its page table with pte_offset_map_lock.
    assert!(
        c.callees.iter().any(|c| c.name == "pte_offset_map_lock"),
        "{:?}",
        c.callees
    );
}

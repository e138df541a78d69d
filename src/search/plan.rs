//! What a query asks, as a tree the engine evaluates itself (see `matching` and `scoring`):
//! terms scored by BM25 times a weight, terms worth a fixed weight, phrases, and boolean nodes
//! that need some of their clauses to match and score the sum of those that do. The same tree
//! converts to a tantivy query with the same matches and scores, which the tests use as the
//! reference for the engine.

use tantivy::Term;
#[cfg(test)]
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
#[cfg(test)]
use tantivy::schema::IndexRecordOption;

#[derive(Debug, Clone)]
pub enum Leaf {
    /// BM25 of a term in its field, times `weight`.
    Term { term: Term, weight: f32 },
    /// `weight` wherever the term is: a preference, not text.
    Const { term: Term, weight: f32 },
    /// BM25 of the terms as a phrase (each at its offset, `slop` moves allowed), times `weight`.
    Phrase {
        terms: Vec<(usize, Term)>,
        slop: u32,
        weight: f32,
    },
}

#[derive(Debug, Clone)]
pub enum Node {
    Leaf(Leaf),
    /// Matches when at least `min` (1 or more) of `clauses` match, and then scores the sum of the
    /// clauses and of the `extras` that match; extras never decide whether it matches.
    Bool {
        clauses: Vec<Node>,
        min: usize,
        extras: Vec<Node>,
    },
}

impl Node {
    pub fn term(term: Term, weight: f32) -> Node {
        Node::Leaf(Leaf::Term { term, weight })
    }

    pub fn constant(term: Term, weight: f32) -> Node {
        Node::Leaf(Leaf::Const { term, weight })
    }

    /// A phrase of at least two terms.
    pub fn phrase(terms: Vec<(usize, Term)>, slop: u32, weight: f32) -> Node {
        debug_assert!(terms.len() > 1, "a phrase has two terms or more");
        Node::Leaf(Leaf::Phrase {
            terms,
            slop,
            weight,
        })
    }

    /// Matches when any clause does (nothing when there is none).
    pub fn any(clauses: Vec<Node>) -> Node {
        Node::at_least(clauses, 1)
    }

    /// Matches when every clause does.
    pub fn all(clauses: Vec<Node>) -> Node {
        let min = clauses.len().max(1);
        Node::at_least(clauses, min)
    }

    pub fn at_least(clauses: Vec<Node>, min: usize) -> Node {
        Node::Bool {
            clauses,
            min: min.max(1),
            extras: Vec::new(),
        }
    }

    /// This node, also scoring `more` where they match.
    pub fn with_extras(self, more: Vec<Node>) -> Node {
        match self {
            Node::Bool {
                clauses,
                min,
                mut extras,
            } => {
                extras.extend(more);
                Node::Bool {
                    clauses,
                    min,
                    extras,
                }
            }
            leaf => Node::Bool {
                clauses: vec![leaf],
                min: 1,
                extras: more,
            },
        }
    }

    /// The same node with every score multiplied by `factor`.
    pub fn boosted(mut self, factor: f32) -> Node {
        self.scale(factor);
        self
    }

    fn scale(&mut self, factor: f32) {
        match self {
            Node::Leaf(
                Leaf::Term { weight, .. }
                | Leaf::Const { weight, .. }
                | Leaf::Phrase { weight, .. },
            ) => *weight *= factor,
            Node::Bool {
                clauses, extras, ..
            } => {
                for node in clauses.iter_mut().chain(extras) {
                    node.scale(factor);
                }
            }
        }
    }

    /// The equivalent tantivy query: same matches, same scores (up to the order in which
    /// floating-point sums are taken). The tests' reference for the engine.
    #[cfg(test)]
    pub fn to_query(&self) -> Box<dyn Query> {
        match self {
            Node::Leaf(Leaf::Term { term, weight }) => Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                *weight,
            )),
            Node::Leaf(Leaf::Const { term, weight }) => Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)),
                *weight,
            )),
            Node::Leaf(Leaf::Phrase {
                terms,
                slop,
                weight,
            }) => Box::new(BoostQuery::new(
                Box::new(PhraseQuery::new_with_offset_and_slop(terms.clone(), *slop)),
                *weight,
            )),
            Node::Bool {
                clauses,
                min,
                extras,
            } => {
                let should = clauses
                    .iter()
                    .map(|c| (Occur::Should, c.to_query()))
                    .collect();
                let required: Box<dyn Query> =
                    Box::new(BooleanQuery::with_minimum_required_clauses(should, *min));
                if extras.is_empty() {
                    return required;
                }
                let mut all = vec![(Occur::Must, required)];
                all.extend(extras.iter().map(|e| (Occur::Should, e.to_query())));
                Box::new(BooleanQuery::new(all))
            }
        }
    }
}

/// A boolean node of a compiled plan: the indices of its clauses.
#[derive(Debug, Clone)]
pub struct BoolSpec {
    pub clauses: Vec<NodeRef>,
    pub min: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRef {
    Leaf(usize),
    Bool(usize),
}

/// A leaf of a compiled plan, with the boolean nodes that must match for it to count: those
/// above it whose matching does not follow from the leaf's own (a clause of an "any" node
/// implies it; an "all" node or an extra does not).
#[derive(Debug, Clone)]
pub struct ScoredLeaf {
    pub leaf: Leaf,
    pub guards: Vec<usize>,
}

/// A plan flattened for evaluation: boolean nodes and leaves in arrays, the root first.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub root: NodeRef,
    pub bools: Vec<BoolSpec>,
    pub leaves: Vec<ScoredLeaf>,
}

impl Compiled {
    /// Whether a leaf needs boolean node `index` to match.
    pub fn is_guard(&self, index: usize) -> bool {
        self.leaves.iter().any(|leaf| leaf.guards.contains(&index))
    }

    /// The root's own matching is not a guard: the engine only scores documents it selected.
    pub fn new(root: &Node) -> Compiled {
        let mut compiled = Compiled {
            root: NodeRef::Bool(0),
            bools: Vec::new(),
            leaves: Vec::new(),
        };
        compiled.root = compiled.add(root, &[], true);
        compiled
    }

    fn add(&mut self, node: &Node, guards: &[usize], is_root: bool) -> NodeRef {
        match node {
            Node::Leaf(leaf) => {
                self.leaves.push(ScoredLeaf {
                    leaf: leaf.clone(),
                    guards: guards.to_vec(),
                });
                NodeRef::Leaf(self.leaves.len() - 1)
            }
            Node::Bool {
                clauses,
                min,
                extras,
            } => {
                let index = self.bools.len();
                self.bools.push(BoolSpec {
                    clauses: Vec::new(),
                    min: *min,
                });
                let mut guarded = guards.to_vec();
                if !is_root {
                    guarded.push(index);
                }
                // A clause of a node that needs one clause makes it match by matching.
                let clause_guards = if *min == 1 { guards } else { &guarded[..] };
                let refs = clauses
                    .iter()
                    .map(|c| self.add(c, clause_guards, false))
                    .collect();
                for extra in extras {
                    self.add(extra, &guarded, false);
                }
                self.bools[index].clauses = refs;
                NodeRef::Bool(index)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::Field;

    fn term(text: &str) -> Node {
        Node::term(Term::from_field_text(Field::from_field_id(0), text), 1.0)
    }

    #[test]
    fn a_leaf_counts_only_where_the_nodes_above_it_that_it_does_not_imply_match() {
        // any(all(a, b), c) with the extra d: a and b need the "all" node, d needs the "any"
        // node (the root, which the engine's selection already implies), c needs nothing.
        let plan = Node::any(vec![Node::all(vec![term("a"), term("b")]), term("c")])
            .with_extras(vec![Node::all(vec![term("d"), term("e")])]);
        let compiled = Compiled::new(&plan);
        let guards: Vec<Vec<usize>> = compiled.leaves.iter().map(|l| l.guards.clone()).collect();
        assert_eq!(guards, vec![vec![1], vec![1], vec![], vec![2], vec![2]]);
        assert_eq!(compiled.root, NodeRef::Bool(0));
        assert_eq!(
            compiled.bools[0].clauses,
            vec![NodeRef::Bool(1), NodeRef::Leaf(2)]
        );
    }

    #[test]
    fn boosting_multiplies_every_leaf() {
        let plan = Node::any(vec![term("a"), Node::all(vec![term("b")]).boosted(2.0)]).boosted(3.0);
        let weights: Vec<f32> = Compiled::new(&plan)
            .leaves
            .iter()
            .map(|l| match l.leaf {
                Leaf::Term { weight, .. } => weight,
                _ => 0.0,
            })
            .collect();
        assert_eq!(weights, vec![3.0, 6.0]);
    }
}

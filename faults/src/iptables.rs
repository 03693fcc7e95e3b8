//! Partitions and packet loss as iptables rules inside each node's network namespace.
//!
//! Each node's namespace holds one chain of rift's, `rift-<run>`, jumped to from `INPUT`; every
//! rule carries the comment `rift run <run>`. A [`Network`] is installed by rewriting that chain
//! whole with one `iptables-restore --noflush` per namespace (declaring a chain in a restore
//! script flushes it), so a new partition replaces the old one atomically and heal removes
//! rift's rules only. Rules match on the sender's address, so a node's grudge drops inbound
//! packets: "a cannot hear b" is `-A rift-<run> -s <b> -j DROP` in a's namespace. After a
//! restore, the rules are listed back ([`list`]) and [`RuleSet::differences`] names what differs
//! from the script.

use crate::{command, netns, FaultError, Network, NodeId};
use std::fmt::Write;
use std::net::Ipv4Addr;

/// rift's rule set for one run: the chain's name and the comment its rules carry.
#[derive(Debug, Clone)]
pub struct RuleSet {
    chain: String,
    comment: String,
}

impl RuleSet {
    /// The rule set of run `run_id`.
    pub fn new(run_id: &str) -> RuleSet {
        RuleSet {
            chain: format!("rift-{run_id}"),
            comment: format!("rift run {run_id}"),
        }
    }

    /// The chain's name.
    pub fn chain(&self) -> &str {
        &self.chain
    }

    /// The comment every rule of the run carries (the jump to the chain included).
    pub fn comment(&self) -> &str {
        &self.comment
    }

    /// The script that creates the (empty) chain and jumps to it from `INPUT`.
    pub fn setup_script(&self) -> String {
        format!(
            "*filter\n:{c} - [0:0]\n-A INPUT -m comment --comment \"{m}\" -j {c}\nCOMMIT\n",
            c = self.chain,
            m = self.comment
        )
    }

    /// The script that makes `node`'s chain exactly what `network` asks of it; `address` gives
    /// each node's address.
    pub fn script(
        &self,
        node: NodeId,
        network: &Network,
        address: impl Fn(NodeId) -> Ipv4Addr,
    ) -> String {
        let mut s = format!("*filter\n:{} - [0:0]\n", self.chain);
        for from in network.grudge.unheard_by(node) {
            let _ = writeln!(
                s,
                "-A {} -s {}/32 -m comment --comment \"{}\" -j DROP",
                self.chain,
                address(from),
                self.comment
            );
        }
        for (from, p) in network.lossy_senders(node) {
            if network.grudge.drops(node, from) {
                continue;
            }
            let _ = writeln!(
                s,
                "-A {} -s {}/32 -m statistic --mode random --probability {p:.6} -m comment --comment \"{}\" -j DROP",
                self.chain,
                address(from),
                self.comment
            );
        }
        s.push_str("COMMIT\n");
        s
    }

    /// What of `script` (made by [`RuleSet::script`]) `listed` (`iptables -S` in the namespace)
    /// does not show, and what it shows beyond it: the jump from `INPUT`, and each rule by the
    /// sender it drops and whether it drops at random; `None` when the two agree.
    pub fn differences(&self, script: &str, listed: &str) -> Option<String> {
        let head = format!("-A {} ", self.chain);
        let rules = |text: &str| -> Vec<(String, bool)> {
            let mut r: Vec<_> = text
                .lines()
                .filter(|l| l.starts_with(&head))
                .map(|l| (sender(l), l.contains("-m statistic")))
                .collect();
            r.sort();
            r
        };
        let (wanted, present) = (rules(script), rules(listed));
        let jump = format!("-j {}", self.chain);
        let mut found = Vec::new();
        if !listed
            .lines()
            .any(|l| l.starts_with("-A INPUT ") && l.ends_with(&jump))
        {
            found.push(format!("no jump from INPUT to {}", self.chain));
        }
        let word = |random: bool| if random { "at random" } else { "all" };
        for (from, random) in wanted.iter().filter(|r| !present.contains(r)) {
            found.push(format!("no rule dropping {} of {from}", word(*random)));
        }
        for (from, random) in present.iter().filter(|r| !wanted.contains(r)) {
            found.push(format!(
                "a rule dropping {} of {from} left over",
                word(*random)
            ));
        }
        (!found.is_empty()).then(|| found.join(", "))
    }
}

/// The address after `-s` in a rule as `iptables -S` lists it ("" when it has none).
fn sender(rule: &str) -> String {
    let mut words = rule.split_whitespace();
    words.find(|w| *w == "-s");
    words.next().unwrap_or_default().to_string()
}

/// Runs `iptables-restore --noflush` with `script` inside network namespace `namespace`.
pub fn restore(namespace: &str, script: &str) -> Result<(), FaultError> {
    let mut cmd = netns::command_in(namespace, "iptables-restore")?;
    cmd.arg("--noflush");
    command::run(&mut cmd, Some(script)).map(|_| ())
}

/// What `iptables -S` lists inside network namespace `namespace`.
pub fn list(namespace: &str) -> Result<String, FaultError> {
    let mut cmd = netns::command_in(namespace, "iptables")?;
    cmd.arg("-S");
    command::run(&mut cmd, None)
}

/// Whether the `iptables-restore` command can be run here (rift's local backend needs it).
pub fn available() -> Result<(), String> {
    match std::process::Command::new("iptables-restore")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
    {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("`iptables-restore --version` exited with {s}")),
        Err(e) => Err(format!("the iptables-restore command cannot be run: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Grudge;

    #[test]
    fn a_nodes_script_drops_exactly_the_senders_its_grudge_names() {
        let rules = RuleSet::new("ab12cd34");
        let mut net = Network {
            grudge: Grudge::between(&[NodeId(0)], &[NodeId(1)]),
            ..Network::default()
        };
        net.add_loss(&[NodeId(2)], &[NodeId(0), NodeId(1), NodeId(2)], 0.25);
        let addr = |n: NodeId| Ipv4Addr::new(10, 0, 0, 10 + n.0 as u8);
        assert_eq!(
            rules.script(NodeId(0), &net, addr),
            "*filter\n:rift-ab12cd34 - [0:0]\n\
             -A rift-ab12cd34 -s 10.0.0.11/32 -m comment --comment \"rift run ab12cd34\" -j DROP\n\
             -A rift-ab12cd34 -s 10.0.0.12/32 -m statistic --mode random --probability 0.250000 -m comment --comment \"rift run ab12cd34\" -j DROP\n\
             COMMIT\n"
        );
        let healed = rules.script(NodeId(0), &Network::default(), addr);
        assert_eq!(healed, "*filter\n:rift-ab12cd34 - [0:0]\nCOMMIT\n");
    }

    #[test]
    fn differences_name_the_missing_jump_the_missing_rules_and_the_rules_left_over() {
        let rules = RuleSet::new("ab12cd34");
        let net = Network {
            grudge: Grudge::between(&[NodeId(0)], &[NodeId(1), NodeId(2)]),
            ..Network::default()
        };
        let addr = |n: NodeId| Ipv4Addr::new(10, 0, 0, 10 + n.0 as u8);
        let script = rules.script(NodeId(0), &net, addr);
        let jump = "-A INPUT -m comment --comment \"rift run ab12cd34\" -j rift-ab12cd34\n";
        let rule = |a: &str| {
            format!(
                "-A rift-ab12cd34 -s {a}/32 -m comment --comment \"rift run ab12cd34\" -j DROP\n"
            )
        };
        let listed = format!(
            "-P INPUT ACCEPT\n-N rift-ab12cd34\n{jump}{}{}",
            rule("10.0.0.11"),
            rule("10.0.0.12")
        );
        assert_eq!(rules.differences(&script, &listed), None);
        assert_eq!(
            rules.differences(&script, &format!("-N rift-ab12cd34\n{}", rule("10.0.0.12"))),
            Some(
                "no jump from INPUT to rift-ab12cd34, no rule dropping all of 10.0.0.11/32".into()
            )
        );
        let healed = rules.script(NodeId(0), &Network::default(), addr);
        assert_eq!(
            rules.differences(&healed, &listed),
            Some(
                "a rule dropping all of 10.0.0.11/32 left over, a rule dropping all of 10.0.0.12/32 left over"
                    .into()
            )
        );
    }
}

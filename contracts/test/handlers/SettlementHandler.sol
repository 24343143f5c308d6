// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CloseFixture} from "../utils/CloseFixture.sol";
import {Merkle} from "../utils/Merkle.sol";
import {IChannelSettlement} from "../../src/interfaces/IChannelSettlement.sol";

/**
 * @notice Drives two channels (same three participants, tokens: one ERC-20 and ETH) through random
 * deposits, bonds, proposals, challenges, time, finalizations, claims, exits, withdrawals, slashes
 * and bond releases, cooperative closes (pushed or claimed), and keeps ghost accounts for the invariant test. Checkpoints carry random
 * balances, sometimes more than the channel holds, so the holdings bound is exercised.
 */
contract SettlementHandler is CloseFixture {
    uint256 internal constant N = 3;
    uint16 internal constant T = 2;

    bytes32[2] public ids;
    address[] public actors; // the participants plus two outside reporters

    // ghosts
    mapping(bytes32 => mapping(address => uint256)) public ghostDeposited;
    mapping(bytes32 => mapping(address => uint256)) public ghostPaidOut;
    mapping(bytes32 => uint64) public ghostVersion;
    mapping(bytes32 => uint64) public ghostDeadline;
    uint256 public versionDecreases;
    uint256 public deadlineDecreases;
    uint256 public capViolations;
    /// @dev payouts above the leaf in the finalized checkpoint, and payouts before finalization
    uint256 public paidAboveLeaf;
    /// @dev shortfalls of refunds, which share the contract's `unpaid` slot with claims
    mapping(bytes32 => mapping(address => mapping(address => uint256))) internal _refundUnpaid;
    uint256 public paidBeforeFinal;
    uint256 public unexpectedReverts;
    uint256 public releasedWhileLocked;
    /// @dev censorship slashes accepted for a checkpoint at which the record left out was not due yet
    uint256 public censorshipSlashedEarly;
    /// @dev claimed leaves minus what was paid for them (the recorded shortfall)
    mapping(bytes32 => mapping(address => uint256)) public ghostUnpaid;
    mapping(string => uint256) public calls;
    /// @dev checkpoints accepted (proposed or exited with) that left out a forced record older than the delay
    uint256 public overdueForcedAccepted;
    /// @dev forced records that appeared while the channel was not Open
    uint256 public forcedAfterOpen;
    mapping(bytes32 => uint64) public ghostForced;
    /// @dev forcedCount of each accepted checkpoint version (so an exit can name the same checkpoint)
    mapping(bytes32 => mapping(uint64 => uint64)) internal _forcedCounts;

    /// @dev amounts[channel][version][participant * 2 + tokenIndex] of accepted checkpoints.
    mapping(bytes32 => mapping(uint64 => uint256[6])) internal _amounts;

    constructor() {
        setUp();
        _makeParticipants(N);
        for (uint256 c = 0; c < 2; ++c) {
            IChannelSettlement.OpenParams memory p = _params(N, T);
            p.nonce = c + 1;
            ids[c] = _open(p);
            // start with funds in both tokens, so early checkpoints have something to pay out
            for (uint256 i = 0; i < N; ++i) {
                _deposit(ids[c], i, 1e21 * (i + 1));
                _depositEth(ids[c], i, 1 ether * (i + 1));
                ghostDeposited[ids[c]][address(token)] += 1e21 * (i + 1);
                ghostDeposited[ids[c]][address(0)] += 1 ether * (i + 1);
            }
        }
        for (uint256 i = 0; i < N; ++i) {
            actors.push(wallets[i]);
        }
        actors.push(address(0xA11CE));
        actors.push(address(0xB0B));
    }

    // ---------------------------------------------------------------- helpers

    function _recordPaid(bytes32 id, Balance memory leaf, uint256 paid) internal {
        ghostPaidOut[id][leaf.token] += paid;
        if (paid > leaf.amount) ++paidAboveLeaf;
        ghostUnpaid[id][leaf.token] += leaf.amount - paid;
        // a refund's shortfall is recorded in the same `unpaid` slot (the contract's _pay): only the rest is the leaf's
        uint256 unpaidNow = settlement.unpaid(id, leaf.participant, leaf.token);
        if (unpaidNow - _refundUnpaid[id][leaf.participant][leaf.token] != leaf.amount - paid) ++paidAboveLeaf;
    }

    function _status(bytes32 id) internal view returns (IChannelSettlement.Status) {
        return settlement.getChannel(id).status;
    }

    function _tok(uint256 i) internal view returns (address) {
        return i % 2 == 0 ? address(token) : address(0);
    }

    function _balances(bytes32 id, uint64 version) internal view returns (Balance[] memory b) {
        uint256[6] storage a = _amounts[id][version];
        b = new Balance[](6);
        for (uint256 k = 0; k < 6; ++k) {
            b[k] = Balance(wallets[k / 2], _tok(k), a[k]);
        }
    }

    /// @dev Random balances: each up to 60% of the holdings, so their sum may exceed them.
    function _randomAmounts(bytes32 id, uint256 seed) internal view returns (uint256[6] memory a) {
        for (uint256 k = 0; k < 6; ++k) {
            uint256 held = settlement.holdings(id, _tok(k));
            a[k] = uint256(keccak256(abi.encode(seed, k))) % (held * 6 / 10 + 2);
        }
    }

    function _checkpointFor(bytes32 id, uint64 version, uint256[6] memory a)
        internal
        view
        returns (IChannelSettlement.Checkpoint memory)
    {
        Balance[] memory b = new Balance[](6);
        for (uint256 k = 0; k < 6; ++k) {
            b[k] = Balance(wallets[k / 2], _tok(k), a[k]);
        }
        return _cp(version, _root(id, version, b));
    }

    /// @dev Counts an accepted checkpoint that leaves out a forced record at least the delay old (must never happen).
    function _checkForcedRule(bytes32 id, uint64 forcedCount) internal {
        uint64 recorded = settlement.getChannel(id).forcedCount;
        if (forcedCount >= recorded) return;
        uint64 recordedAt = settlement.getForcedOp(id, forcedCount).time;
        if (recordedAt + settlement.forceInclusionDelay(id) <= block.timestamp) ++overdueForcedAccepted;
    }

    function _observe() internal {
        for (uint256 c = 0; c < 2; ++c) {
            IChannelSettlement.ChannelInfo memory info = settlement.getChannel(ids[c]);
            if (info.forcedCount != ghostForced[ids[c]] && info.status != IChannelSettlement.Status.Open) {
                ++forcedAfterOpen;
            }
            ghostForced[ids[c]] = info.forcedCount;
            if (info.status == IChannelSettlement.Status.Open) continue;
            if (info.checkpoint.version < ghostVersion[ids[c]]) ++versionDecreases;
            if (info.deadline < ghostDeadline[ids[c]]) ++deadlineDecreases;
            if (info.deadline > info.firstProposalAt + 2 * info.disputeWindow) ++capViolations;
            ghostVersion[ids[c]] = info.checkpoint.version;
            ghostDeadline[ids[c]] = info.deadline;
        }
    }

    // ---------------------------------------------------------------- actions

    function deposit(uint256 c, uint256 who, uint256 amount) external {
        bytes32 id = ids[c % 2];
        if (_status(id) != IChannelSettlement.Status.Open) return;
        amount = bound(amount, 1, 1e30);
        _deposit(id, who % N, amount);
        ghostDeposited[id][address(token)] += amount;
        ++calls["deposit"];
        _observe();
    }

    function depositEth(uint256 c, uint256 who, uint256 amount) external {
        bytes32 id = ids[c % 2];
        if (_status(id) != IChannelSettlement.Status.Open) return;
        amount = bound(amount, 1, 1e24);
        _depositEth(id, who % N, amount);
        ghostDeposited[id][address(0)] += amount;
        ++calls["depositEth"];
        _observe();
    }

    function bond(uint256 c, uint256 who, uint256 amount) external {
        bytes32 id = ids[c % 2];
        who %= N;
        if (_status(id) == IChannelSettlement.Status.Finalized) return;
        if (settlement.getParticipant(id, wallets[who]).slashed) return;
        _bond(id, who, bound(amount, 1, 100 ether));
        ++calls["bond"];
        _observe();
    }

    /// @dev Proposes or challenges with a version up to 3 above the current one (0 = stale), signed
    /// by the participants in `mask`.
    function propose(uint256 c, uint256 step, uint256 mask, uint256 seed) external {
        bytes32 id = ids[c % 2];
        if (_status(id) == IChannelSettlement.Status.Finalized) return;
        uint64 version = settlement.getChannel(id).checkpoint.version + uint64(bound(step, 0, 3));
        uint256[6] memory a = _randomAmounts(id, seed);
        IChannelSettlement.Checkpoint memory cp = _checkpointFor(id, version, a);
        // any forcedCount up to what was recorded: some leave out overdue records and must be refused
        cp.forcedCount = uint64(uint256(keccak256(abi.encode(seed))) % (settlement.getChannel(id).forcedCount + 1));
        uint256[] memory signers = new uint256[](_popcount(mask % 8));
        uint256 j;
        for (uint256 i = 0; i < N; ++i) {
            if ((mask >> i) & 1 == 1) signers[j++] = i;
        }
        bytes[] memory sigs = _signCp(id, cp, signers);
        // from a participant or an outsider: a participant's stale proposal may be charged for Griefing (issue #12)
        vm.prank(actors[seed % actors.length]);
        try settlement.propose(id, cp, sigs) {
            _amounts[id][version] = a;
            _forcedCounts[id][version] = cp.forcedCount;
            _checkForcedRule(id, cp.forcedCount);
            ++calls["propose"];
        } catch {
            ++calls["propose (reverted)"];
        }
        _observe();
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, WINDOW));
        ++calls["warp"];
        _observe();
    }

    /// @dev Waits for the deadline if need be (so runs reach the payout phase), then finalizes.
    function finalize(uint256 c) external {
        bytes32 id = ids[c % 2];
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        if (info.status != IChannelSettlement.Status.Closing) return;
        if (block.timestamp < info.deadline) vm.warp(info.deadline);
        settlement.finalize(id);
        ++calls["finalize"];
        _observe();
    }

    /**
     * @dev Every participant closes with a checkpoint up to 2 versions above the current one (0 = the pending
     * version), random balances and forcedCount; `push`: every leaf paid in the call, else claims follow.
     */
    function closeTogether(uint256 c, uint256 step, uint256 seed, bool push) external {
        bytes32 id = ids[c % 2];
        if (_status(id) == IChannelSettlement.Status.Finalized) return;
        uint64 version = settlement.getChannel(id).checkpoint.version + uint64(bound(step, 0, 2));
        uint256[6] memory a = _randomAmounts(id, seed);
        IChannelSettlement.Checkpoint memory cp = _checkpointFor(id, version, a);
        cp.forcedCount = uint64(uint256(keccak256(abi.encode(seed))) % (settlement.getChannel(id).forcedCount + 1));
        Balance[] memory b = new Balance[](6);
        uint256[6] memory before;
        for (uint256 k = 0; k < 6; ++k) {
            b[k] = Balance(wallets[k / 2], _tok(k), a[k]);
            before[k] = _wealth(b[k]);
        }
        bytes[] memory sigs = _signClose(id, cp, N);
        try settlement.closeCooperatively(id, cp, sigs, push ? _closeLeaves(id, version, b) : _noLeaves()) {
            _amounts[id][version] = a;
            _forcedCounts[id][version] = cp.forcedCount;
            _checkForcedRule(id, cp.forcedCount);
            if (push) {
                for (uint256 k = 0; k < 6; ++k) {
                    _recordPaid(id, b[k], _wealth(b[k]) - before[k]);
                }
            }
            ++calls[push ? "closeTogether (paid out)" : "closeTogether (claims)"];
        } catch {
            ++calls["closeTogether (reverted)"];
        }
        _observe();
    }

    /// @dev What a participant has of a token outside the channel: its wallet plus its pull balance.
    function _wealth(Balance memory leaf) internal view returns (uint256) {
        uint256 wallet = leaf.token == address(0) ? leaf.participant.balance : token.balanceOf(leaf.participant);
        return wallet + settlement.owed(leaf.participant, leaf.token);
    }

    /// @dev Claims leaf `k` of a finalized channel, or the next leaf still unclaimed.
    function claim(uint256 c, uint256 k) external {
        bytes32 id = ids[c % 2];
        if (_status(id) != IChannelSettlement.Status.Finalized) id = ids[(c + 1) % 2];
        if (_status(id) != IChannelSettlement.Status.Finalized) return;
        uint64 version = settlement.getChannel(id).checkpoint.version;
        Balance[] memory b = _balances(id, version);
        uint256 tries;
        for (k %= 6; b[k].amount == 0 || settlement.isSettled(id, b[k].participant, b[k].token); k = (k + 1) % 6) {
            if (++tries == 6) return;
        }
        bytes32[] memory proof = _proof(id, version, b, k);
        vm.prank(b[k].participant);
        uint256 before = settlement.owed(b[k].participant, b[k].token);
        try settlement.claim(id, b[k].token, b[k].amount, proof) {
            _recordPaid(id, b[k], settlement.owed(b[k].participant, b[k].token) - before);
            ++calls["claim"];
        } catch {
            ++calls["claim (reverted)"];
        }
        _observe();
    }

    /// @dev Exits with a new quorum checkpoint one version up, or with the pending/final one.
    function exit(uint256 c, uint256 k, bool newer, uint256 seed) external {
        bytes32 id = ids[c % 2];
        k %= 6;
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        uint64 version = info.checkpoint.version;
        if (
            info.status == IChannelSettlement.Status.Open || (newer && info.status == IChannelSettlement.Status.Closing)
        ) {
            version += 1;
            _amounts[id][version] = _randomAmounts(id, seed);
            _forcedCounts[id][version] = info.forcedCount; // a new checkpoint includes every record
        }
        Balance[] memory b = _balances(id, version);
        if (b[k].amount == 0 || settlement.isSettled(id, b[k].participant, b[k].token)) return;
        bool finalized = info.status == IChannelSettlement.Status.Finalized;
        _tryExit(id, version, b, k, finalized);
        _observe();
    }

    function _tryExit(bytes32 id, uint64 version, Balance[] memory b, uint256 k, bool finalized) internal {
        IChannelSettlement.Checkpoint memory cp = _cp(version, _root(id, version, b));
        cp.forcedCount = _forcedCounts[id][version];
        bytes[] memory sigs = finalized ? new bytes[](0) : _signCp(id, cp, N);
        bytes32[] memory proof = _proof(id, version, b, k);
        Balance memory x = b[k];
        // an exit that supersedes a participant's stale proposal may earn the exiter a Griefing charge (ETH, from
        // bonds): that is a reward, not a payout of the channel
        uint256 before = settlement.owed(x.participant, x.token) + (x.token == address(0) ? _bondSum(id) : 0);
        vm.prank(x.participant);
        try settlement.emergencyExit(id, cp, sigs, x.token, x.amount, proof) {
            // before finalization an exit is a proposal and pays nothing
            uint256 after_ = settlement.owed(x.participant, x.token) + (x.token == address(0) ? _bondSum(id) : 0);
            uint256 paid = after_ > before ? after_ - before : 0;
            if (!finalized && paid != 0) ++paidBeforeFinal;
            if (finalized) _recordPaid(id, x, paid);
            else _checkForcedRule(id, cp.forcedCount);
            ++calls["exit"];
        } catch {
            ++calls["exit (reverted)"];
        }
    }

    function _bondSum(bytes32 id) internal view returns (uint256 total) {
        for (uint256 i = 0; i < N; ++i) {
            total += settlement.getParticipant(id, wallets[i]).bond;
        }
    }

    /// @dev A participant posts a forced op (1..256 bytes) while the channel is open; past its cap it is refused.
    function forceInclude(uint256 c, uint256 who, uint256 len) external {
        bytes32 id = ids[c % 2];
        if (_status(id) != IChannelSettlement.Status.Open) return;
        vm.prank(wallets[who % N]);
        try settlement.forceInclude(id, new bytes(bound(len, 1, 256))) {
            ++calls["forceInclude"];
        } catch {
            ++calls["forceInclude (reverted)"];
        }
        _observe();
    }

    /// @dev Refunds a deposit the final checkpoint does not credit (the handler's checkpoints credit none).
    function refund(uint256 c, uint64 index) external {
        bytes32 id = ids[c % 2];
        if (_status(id) != IChannelSettlement.Status.Finalized) return;
        uint64 count = settlement.depositCount(id);
        index = uint64(bound(index, 0, count - 1));
        if (settlement.isRefunded(id, index)) return;
        IChannelSettlement.DepositRecord memory d = settlement.getDeposit(id, index);
        uint256 before = settlement.owed(d.participant, d.token);
        settlement.refundDeposit(id, index);
        uint256 paid = settlement.owed(d.participant, d.token) - before;
        if (paid > d.amount) ++paidAboveLeaf;
        _refundUnpaid[id][d.participant][d.token] += d.amount - paid;
        ghostPaidOut[id][d.token] += paid;
        ++calls["refund"];
        _observe();
    }

    /// @dev Withdraws for the chosen (actor, token), or the next pair with a pull balance.
    function withdraw(uint256 who, uint256 t) external {
        uint256 pairs = actors.length * 2;
        uint256 i = (who % actors.length) * 2 + t % 2;
        for (uint256 tries = 0; settlement.owed(actors[i / 2], _tok(i)) == 0; i = (i + 1) % pairs) {
            if (++tries == pairs) return;
        }
        address account = actors[i / 2];
        address tok = _tok(i);
        vm.prank(account);
        settlement.withdraw(tok);
        ++calls["withdraw"];
        _observe();
    }

    function slash(uint256 c, uint256 author, uint256 reporter, uint64 seq) external {
        bytes32 id = ids[c % 2];
        author %= N;
        if (settlement.getParticipant(id, wallets[author]).slashed) return;
        IChannelSettlement.BlockHeader memory a = _header(id, author, seq, keccak256("a"));
        IChannelSettlement.BlockHeader memory b = _header(id, author, seq, keccak256("b"));
        vm.prank(actors[reporter % actors.length]);
        try settlement.slash(id, a, b) {
            ++calls["slash"];
        } catch {
            // only once the evidence window has closed
            IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
            if (info.status == IChannelSettlement.Status.Open || block.timestamp < info.deadline + info.disputeWindow) {
                ++unexpectedReverts;
            }
            ++calls["slash (window closed)"];
        }
        _observe();
    }

    /**
     * @dev Censorship evidence: `author`'s session key signs a checkpoint leaving out forced record `index`, at the
     * record's due time (plus `late` ms) or 1 ms before it. Due: the bond is taken, refused only once the evidence
     * window closed; not due: always refused.
     */
    function slashCensorship(
        uint256 c,
        uint256 author,
        uint256 reporter,
        uint64 index,
        uint64 version,
        bool due,
        uint32 late
    ) external {
        bytes32 id = ids[c % 2];
        author %= N;
        if (settlement.getParticipant(id, wallets[author]).slashed) return;
        if (settlement.getChannel(id).forcedCount == 0 && _status(id) == IChannelSettlement.Status.Open) {
            // a record to leave out: posted by another participant
            vm.prank(wallets[(author + 1) % N]);
            settlement.forceInclude(id, hex"03");
            ++calls["forceInclude"];
        }
        uint64 count = settlement.getChannel(id).forcedCount;
        if (count == 0) return;
        index = uint64(bound(index, 0, count - 1));
        uint256 dueAt = (uint256(settlement.getForcedOp(id, index).time) + settlement.forceInclusionDelay(id)) * 1000;
        IChannelSettlement.Checkpoint memory cp =
            _cp(uint64(bound(version, 1, 1000)), keccak256(abi.encode("censored", index, version)));
        cp.forcedCount = uint64(uint256(keccak256(abi.encode(late))) % (uint256(index) + 1)); // leaves `index` out
        // Safe: block times and the delay stay far below 2^64 / 1000 here.
        // forge-lint: disable-next-line(unsafe-typecast)
        cp.time = uint64(due ? dueAt + late : dueAt - 1);
        bytes memory sig = _sign(sessionKeys[author], settlement.hashCheckpoint(id, cp));
        vm.prank(actors[reporter % actors.length]);
        try settlement.slashCensorship(id, cp, sig, index) {
            if (!due) ++censorshipSlashedEarly;
            ++calls["slashCensorship"];
        } catch {
            if (due) {
                IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
                if (
                    info.status == IChannelSettlement.Status.Open
                        || block.timestamp < info.deadline + info.disputeWindow
                ) {
                    ++unexpectedReverts;
                }
                ++calls["slashCensorship (window closed)"];
            } else {
                ++calls["slashCensorship (not due)"];
            }
        }
        _observe();
    }

    function releaseBond(uint256 c, uint256 who) external {
        bytes32 id = ids[c % 2];
        who %= N;
        if (_status(id) != IChannelSettlement.Status.Finalized) return;
        if (settlement.getParticipant(id, wallets[who]).bond == 0) return;
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        bool locked = block.timestamp < info.deadline + info.disputeWindow;
        vm.prank(wallets[who]);
        try settlement.releaseBond(id) {
            if (locked) ++releasedWhileLocked;
            ++calls["releaseBond"];
        } catch {
            if (!locked) ++unexpectedReverts;
            ++calls["releaseBond (locked)"];
        }
        _observe();
    }

    // ---------------------------------------------------------------- views for the invariants

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function participant(uint256 i) external view returns (address) {
        return wallets[i];
    }

    function settlementAddress() external view returns (address) {
        return address(settlement);
    }

    function tokenAddress() external view returns (address) {
        return address(token);
    }

    function _popcount(uint256 x) internal pure returns (uint256 count) {
        for (; x != 0; x >>= 1) {
            count += x & 1;
        }
    }
}

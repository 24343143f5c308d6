// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";

/// @notice Fuzz tests: signer subsets against thresholds, signature garbage, versions and deadlines,
/// amounts through deposit → checkpoint → claim, Merkle trees of any size, slash arithmetic.
contract ChannelSettlementFuzzTest is ChannelFixture {
    uint256 internal constant MAX_N = 12;

    function setUp() public override {
        super.setUp();
        _makeParticipants(MAX_N);
    }

    /// @dev The indices set in `mask` (below n), in an order shuffled by `seed`.
    function _subset(uint256 n, uint256 mask, uint256 seed) internal pure returns (uint256[] memory s) {
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            if (mask & (1 << i) != 0) ++count;
        }
        s = new uint256[](count);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            if (mask & (1 << i) != 0) s[k++] = i;
        }
        for (uint256 i = count; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % i;
            (s[i - 1], s[j]) = (s[j], s[i - 1]);
        }
    }

    // ---------------------------------------------------------------- signatures and thresholds

    function testFuzz_SignerSubsetsVersusThreshold(uint256 nSeed, uint256 tSeed, uint256 mask, uint256 seed) public {
        uint256 n = bound(nSeed, 2, MAX_N);
        uint16 t = uint16(bound(tSeed, n / 2 + 1, n));
        bytes32 id = _open(n, t);
        uint256[] memory signers = _subset(n, mask, seed);
        IChannelSettlement.Checkpoint memory cp = _cp(1, keccak256(abi.encode(mask)));
        bytes[] memory sigs = _signCp(id, cp, signers);

        if (signers.length < t) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IChannelSettlement.ChannelSettlementInsufficientSignatures.selector, signers.length, t
                )
            );
            settlement.propose(id, cp, sigs);
            vm.assertEq(uint256(settlement.getChannel(id).status), uint256(IChannelSettlement.Status.Open), "open");
        } else {
            settlement.propose(id, cp, sigs);
            vm.assertEq(settlement.getChannel(id).checkpoint.balancesRoot, cp.balancesRoot, "accepted");
        }
    }

    function testFuzz_DuplicateOrOutsiderAlwaysRejected(uint256 mask, uint256 seed, uint256 pos, bool outsider) public {
        uint256 n = 7;
        bytes32 id = _open(n, 4);
        uint256[] memory base = _subset(n, mask | 7, seed); // at least 3, so 4 with the extra one
        pos = bound(pos, 0, base.length);
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(seed));
        bytes[] memory good = _signCp(id, cp, base);
        bytes[] memory sigs = new bytes[](base.length + 1);
        uint256 k = uint256(keccak256(abi.encode(seed))) % base.length; // duplicated signer
        for (uint256 i = 0; i < sigs.length; ++i) {
            if (i < pos) sigs[i] = good[i];
            else if (i > pos) sigs[i] = good[i - 1];
        }
        if (outsider) {
            uint256 key = _key("outsider", seed);
            sigs[pos] = _sign(key, settlement.hashCheckpoint(id, cp));
            vm.expectRevert(
                abi.encodeWithSelector(
                    IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector, pos, vm.addr(key)
                )
            );
        } else {
            sigs[pos] = good[k];
            uint256 kAfter = k < pos ? k : k + 1;
            uint256 second = kAfter > pos ? kAfter : pos;
            vm.expectRevert(
                abi.encodeWithSelector(
                    IChannelSettlement.ChannelSettlementDuplicateSigner.selector, second, wallets[base[k]]
                )
            );
        }
        settlement.propose(id, cp, sigs);
    }

    function testFuzz_RandomSignatureNeverAccepted(bytes32 r, bytes32 s, uint8 v, uint256 which) public {
        bytes32 id = _open(3, 3);
        IChannelSettlement.Checkpoint memory cp = _cp(1, r);
        bytes[] memory sigs = _signCp(id, cp, 3);
        sigs[which % 3] = abi.encodePacked(r, s, v);
        vm.expectRevert();
        settlement.propose(id, cp, sigs);
    }

    function testFuzz_MalleatedSignatureRejected(uint64 version, bytes32 root, uint256 which) public {
        bytes32 id = _open(3, 2);
        IChannelSettlement.Checkpoint memory cp = _cp(version, root);
        bytes[] memory sigs = _signCp(id, cp, 3);
        which %= 3;
        sigs[which] = _highS(sigs[which]);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSignature.selector, which));
        settlement.propose(id, cp, sigs);
    }

    // ---------------------------------------------------------------- versions and deadlines

    function testFuzz_ChallengeVersionAndTiming(uint64 v1, uint64 v2, uint256 delay) public {
        bytes32 id = _open(3, 2);
        IChannelSettlement.Checkpoint memory first = _cp(v1, bytes32(0));
        settlement.propose(id, first, _signCp(id, first, 2));
        delay = bound(delay, 0, 3 * WINDOW);
        vm.warp(T0 + delay);
        IChannelSettlement.Checkpoint memory second = _cp(v2, bytes32(uint256(1)));
        bytes[] memory sigs = _signCp(id, second, 2);

        if (delay >= WINDOW) {
            vm.expectRevert(
                abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, uint64(T0 + WINDOW))
            );
            settlement.propose(id, second, sigs);
        } else if (v2 <= v1) {
            vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, v2, v1));
            settlement.propose(id, second, sigs);
        } else {
            settlement.propose(id, second, sigs);
            IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
            vm.assertEq(info.checkpoint.version, v2, "higher version wins");
            vm.assertEq(info.deadline, T0 + delay + WINDOW, "now + window, below the cap");
        }
    }

    function testFuzz_DeadlineNeverBeyondCap(uint256 seed) public {
        bytes32 id = _open(3, 2);
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, 2));
        uint64 cap = uint64(T0 + 2 * WINDOW);
        uint64 deadline = uint64(T0 + WINDOW);
        uint64 version = 1;
        for (uint256 i = 0; i < 16; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            vm.warp(block.timestamp + r % (WINDOW / 2));
            if (block.timestamp >= deadline) break;
            version += uint64(1 + (r >> 128) % 5);
            cp = _cp(version, bytes32(r));
            settlement.propose(id, cp, _signCp(id, cp, 2));
            IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
            vm.assertLe(info.deadline, cap, "cap");
            vm.assertGe(info.deadline, deadline, "monotonic");
            vm.assertGe(info.deadline, block.timestamp, "future");
            deadline = info.deadline;
        }
    }

    // ---------------------------------------------------------------- amounts

    function testFuzz_DepositCheckpointClaim(uint128 d0, uint128 d1, uint256 split, uint256 excess) public {
        // the channel's holdings of a token stay within u128 (the core's cap; audit, DepositCap.t.sol)
        d0 = uint128(bound(d0, 1, type(uint128).max - 1));
        d1 = uint128(bound(d1, 1, type(uint128).max - d0));
        bytes32 id = _open(2, 2);
        _deposit(id, 0, d0);
        _deposit(id, 1, d1);
        uint256 total = uint256(d0) + d1;
        Balance[] memory b = new Balance[](2);
        b[0] = Balance(wallets[0], address(token), bound(split, 1, total));
        b[1] = Balance(wallets[1], address(token), total - b[0].amount + bound(excess, 0, 1));
        vm.assume(b[1].amount > 0);
        _finalize(id, _cp(1, _root(id, 1, b)), 2);

        bytes32[] memory proof = _proof(id, 1, b, 0);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), b[0].amount, proof);
        proof = _proof(id, 1, b, 1);
        vm.prank(wallets[1]);
        settlement.claim(id, address(token), b[1].amount, proof);
        vm.assertEq(settlement.holdings(id, address(token)), 0, "all paid");
        vm.assertEq(
            settlement.owed(wallets[1], address(token)) + settlement.unpaid(id, wallets[1], address(token)),
            b[1].amount,
            "paid + unpaid = leaf"
        );
        vm.assertLe(settlement.owed(wallets[1], address(token)), total - b[0].amount, "never more than held");
        for (uint256 i = 0; i < 2; ++i) {
            if (settlement.owed(wallets[i], address(token)) == 0) continue;
            vm.prank(wallets[i]);
            settlement.withdraw(address(token));
        }
        vm.assertEq(
            token.balanceOf(address(settlement)), settlement.holdings(id, address(token)), "balance == holdings"
        );
        vm.assertEq(token.balanceOf(wallets[0]), b[0].amount, "participant 0 paid");
    }

    function testFuzz_FeeOnTransferCreditsWhatArrives(uint128 amount) public {
        amount = uint128(bound(amount, 1, type(uint128).max));
        FeeOnTransferToken fee = new FeeOnTransferToken();
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.tokens = new address[](1);
        p.tokens[0] = address(fee);
        bytes32 id = _open(p);
        fee.mint(wallets[0], amount);
        vm.prank(wallets[0]);
        fee.approve(address(settlement), amount);
        vm.prank(wallets[0]);
        settlement.deposit(id, address(fee), amount);
        uint256 arrived = amount - amount / 100;
        vm.assertEq(settlement.getDeposit(id, 0).amount, arrived, "recorded");
        vm.assertEq(settlement.holdings(id, address(fee)), arrived, "holdings");
        vm.assertEq(fee.balanceOf(address(settlement)), arrived, "balance");
    }

    function testFuzz_DepositIndicesAreSequential(uint8 count, uint256 seed) public {
        count = uint8(bound(count, 1, 40));
        bytes32 id = _open(4, 3);
        uint256 total;
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 who = r % 4;
            uint256 amount = 1 + (r >> 8) % 1e21;
            bool isEth = (r >> 200) & 1 == 1;
            uint64 index = isEth ? _depositEth(id, who, amount) : _deposit(id, who, amount);
            vm.assertEq(index, i, "sequential");
            IChannelSettlement.DepositRecord memory rec = settlement.getDeposit(id, index);
            vm.assertEq(rec.participant, wallets[who], "participant");
            vm.assertEq(rec.token, isEth ? address(0) : address(token), "token");
            vm.assertEq(rec.amount, amount, "amount");
            if (isEth) total += amount;
        }
        vm.assertEq(settlement.depositCount(id), count, "count");
        vm.assertEq(settlement.holdings(id, address(0)), total, "eth holdings");
    }

    function testFuzz_MerkleTreesOfAnySize(uint256 leafCount, uint256 seed, uint256 which) public {
        leafCount = bound(leafCount, 1, 64);
        which = bound(which, 0, leafCount - 1);
        bytes32 id = _open(MAX_N, 7);
        Balance[] memory b = new Balance[](leafCount);
        for (uint256 i = 0; i < leafCount; ++i) {
            // distinct (participant, token) pairs: participant i % 12, token by i / 12
            address tok = i / MAX_N == 0 ? address(token) : address(uint160(0x1000 + i / MAX_N));
            b[i] = Balance(wallets[i % MAX_N], tok, 1 + uint256(keccak256(abi.encode(seed, i))) % 1e30);
        }
        _deposit(id, 0, 12 * 1e30);
        _finalize(id, _cp(1, _root(id, 1, b)), 7);
        bytes32[] memory proof = _proof(id, 1, b, which);
        if (b[which].token == address(token)) {
            vm.prank(b[which].participant);
            settlement.claim(id, b[which].token, b[which].amount, proof);
            vm.assertEq(settlement.owed(b[which].participant, address(token)), b[which].amount, "claimed");
        } else {
            // a token nobody deposited: the proof is valid, the holdings are not there; all of it is unpaid
            vm.prank(b[which].participant);
            settlement.claim(id, b[which].token, b[which].amount, proof);
            vm.assertEq(settlement.owed(b[which].participant, b[which].token), 0, "nothing paid");
            vm.assertEq(settlement.unpaid(id, b[which].participant, b[which].token), b[which].amount, "recorded");
        }
    }

    // ---------------------------------------------------------------- slashing

    function testFuzz_SlashSharesExactlyTheBond(uint96 bondAmount, uint256 nSeed, uint256 authorSeed, bool insider)
        public
    {
        uint256 n = bound(nSeed, 2, MAX_N);
        uint256 author = bound(authorSeed, 0, n - 1);
        bytes32 id = _open(n, uint16(n / 2 + 1));
        if (bondAmount > 0) _bond(id, author, bondAmount);
        address reporter = insider ? wallets[(author + 1) % n] : address(0x5eed);
        IChannelSettlement.BlockHeader memory a = _header(id, author, 5, keccak256("a"));
        IChannelSettlement.BlockHeader memory b = _header(id, author, 5, keccak256("b"));
        vm.prank(reporter);
        settlement.slash(id, a, b);

        uint256 sum = insider ? 0 : settlement.owed(reporter, address(0));
        for (uint256 i = 0; i < n; ++i) {
            sum += settlement.owed(wallets[i], address(0));
        }
        vm.assertEq(sum, bondAmount, "whole bond shared, nothing created");
        if (!insider) vm.assertEq(settlement.owed(reporter, address(0)), 0, "an outside reporter earns nothing");
        for (uint256 i = 0; i < n; ++i) {
            if (i == author) continue;
            vm.assertGe(settlement.owed(wallets[i], address(0)), uint256(bondAmount) / (n - 1), "equal shares");
        }
        vm.assertEq(settlement.owed(wallets[author], address(0)), 0, "author nothing");
        vm.assertEq(address(settlement).balance, bondAmount, "all still in the contract");
    }

    // ---------------------------------------------------------------- exit / propose / challenge interleavings

    /// @dev Balances of (version, variant): three participants splitting the 600 deposited tokens by `seed`.
    function _split(bytes32 id, uint64 version, uint256 variant) internal view returns (Balance[] memory b) {
        uint256 r = uint256(keccak256(abi.encode(id, version, variant)));
        uint256 a = r % 601;
        uint256 c = (r >> 64) % (601 - a);
        b = new Balance[](3);
        b[0] = Balance(wallets[0], address(token), a);
        b[1] = Balance(wallets[1], address(token), c);
        b[2] = Balance(wallets[2], address(token), 600 - a - c);
    }

    /// Random proposals, same-version rivals, exits and time, in any order: the pending version never falls, at one
    /// version the digest never rises, nothing is paid before finalization, and afterwards every participant gets
    /// exactly its leaf in the checkpoint that won, with nothing left over.
    function testFuzz_ExitProposeChallengeInterleavings(uint256 seed) public {
        bytes32 id = _open(3, 2);
        _deposit(id, 0, 100);
        _deposit(id, 1, 200);
        _deposit(id, 2, 300);
        uint64 lastVersion;
        bytes32 lastDigest;
        for (uint256 i = 0; i < 10; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint64 version = uint64(1 + (r >> 8) % 5);
            uint256 variant = (r >> 16) % 2;
            Balance[] memory b = _split(id, version, variant);
            IChannelSettlement.Checkpoint memory cp = _cp(version, _root(id, version, b));
            bytes[] memory sigs = _signCp(id, cp, 2);
            uint256 action = r % 3;
            if (action == 0) {
                try settlement.propose(id, cp, sigs) {} catch {}
            } else if (action == 1) {
                uint256 k = (r >> 24) % 3;
                if (b[k].amount == 0) continue;
                bytes32[] memory proof = _proof(id, version, b, k);
                vm.prank(wallets[k]);
                try settlement.emergencyExit(id, cp, sigs, address(token), b[k].amount, proof) {} catch {}
            } else {
                vm.warp(block.timestamp + (r >> 32) % (WINDOW / 2));
            }
            IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
            if (info.status == IChannelSettlement.Status.Open) continue;
            vm.assertGe(info.checkpoint.version, lastVersion, "version never falls");
            if (info.checkpoint.version == lastVersion && lastDigest != bytes32(0)) {
                vm.assertLe(uint256(info.checkpoint.digest), uint256(lastDigest), "digest never rises at one version");
            }
            (lastVersion, lastDigest) = (info.checkpoint.version, info.checkpoint.digest);
            for (uint256 p = 0; p < 3; ++p) {
                vm.assertEq(settlement.owed(wallets[p], address(token)), 0, "nothing paid before finalization");
            }
        }
        IChannelSettlement.ChannelInfo memory fin = settlement.getChannel(id);
        if (fin.status == IChannelSettlement.Status.Open) return;
        vm.warp(fin.deadline);
        settlement.finalize(id);
        uint64 v = fin.checkpoint.version;
        Balance[] memory won = _split(id, v, 0);
        if (_root(id, v, won) != fin.checkpoint.balancesRoot) won = _split(id, v, 1);
        vm.assertEq(_root(id, v, won), fin.checkpoint.balancesRoot, "the winner is one of the signed checkpoints");
        for (uint256 k = 0; k < 3; ++k) {
            if (won[k].amount == 0) continue;
            bytes32[] memory proof = _proof(id, v, won, k);
            vm.prank(wallets[k]);
            settlement.claim(id, address(token), won[k].amount, proof);
            vm.assertEq(settlement.owed(wallets[k], address(token)), won[k].amount, "exactly the winning leaf");
        }
        vm.assertEq(settlement.holdings(id, address(token)), 0, "nothing stranded");
    }
}

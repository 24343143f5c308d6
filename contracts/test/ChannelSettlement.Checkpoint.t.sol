// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {ISettlement} from "../src/interfaces/ISettlement.sol";

/// @notice propose (first proposal and challenges), finalize, and the checkpoint signature matrix.
contract ChannelSettlementCheckpointTest is ChannelFixture {
    bytes32 internal id;

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
    }

    function _status() internal view returns (IChannelSettlement.Status) {
        return settlement.getChannel(id).status;
    }

    function _expectInvalidSignature(uint256 index) internal {
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSignature.selector, index));
    }

    // ---------------------------------------------------------------- first proposal

    function test_Propose_FirstStartsSettlement() public {
        IChannelSettlement.Checkpoint memory cp = _cp(7, keccak256("root"));
        bytes[] memory sigs = _signCp(id, cp, 3);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.CheckpointProposed(
            id, 7, address(0xcafe), settlement.hashCheckpoint(id, cp), cp.balancesRoot, uint64(T0 + WINDOW)
        );
        vm.prank(address(0xcafe)); // anyone may submit; the signatures carry the authority
        settlement.propose(id, cp, sigs);

        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(uint256(info.status), uint256(IChannelSettlement.Status.Closing), "closing");
        vm.assertEq(info.firstProposalAt, T0, "first proposal time");
        vm.assertEq(info.deadline, T0 + WINDOW, "deadline");
        vm.assertEq(info.checkpoint.version, 7, "version");
        vm.assertEq(info.checkpoint.time, cp.time, "time");
        vm.assertEq(info.checkpoint.depositCount, cp.depositCount, "deposits");
        vm.assertEq(info.checkpoint.balancesRoot, cp.balancesRoot, "balances");
        vm.assertEq(info.checkpoint.digest, settlement.hashCheckpoint(id, cp), "digest (commits to leader and state root)");
    }

    function test_Propose_AllSignersInAnyOrder() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        uint256[] memory order = new uint256[](4);
        (order[0], order[1], order[2], order[3]) = (3, 1, 0, 2);
        settlement.propose(id, cp, _signCp(id, cp, order));
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 1, "accepted");
    }

    function test_Propose_DigestMatchesTypedDataSpec() public view {
        IChannelSettlement.Checkpoint memory cp = _cp(9, keccak256("r"));
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Checkpoint(bytes32 channelId,uint64 version,bytes32 leader,uint64 time,uint64 depositCount,uint64 forcedCount,bytes32 stateRoot,bytes32 balancesRoot)"
                ),
                id,
                cp.version,
                cp.leader,
                cp.time,
                cp.depositCount,
                cp.forcedCount,
                cp.stateRoot,
                cp.balancesRoot
            )
        );
        vm.assertEq(
            settlement.hashCheckpoint(id, cp),
            keccak256(abi.encodePacked(hex"1901", settlement.domainSeparator(), structHash)),
            "checkpoint digest"
        );
    }

    function test_RevertWhen_ProposeUnknownChannel() public {
        bytes32 unknown = keccak256("nope");
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, unknown));
        settlement.propose(unknown, cp, sigs);
    }

    // ---------------------------------------------------------------- signature matrix

    function test_RevertWhen_BelowThreshold() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInsufficientSignatures.selector, 2, 3)
        );
        settlement.propose(id, cp, sigs);
    }

    function test_RevertWhen_DuplicateSigner() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        uint256[] memory signers = new uint256[](3);
        (signers[0], signers[1], signers[2]) = (0, 1, 0);
        bytes[] memory sigs = _signCp(id, cp, signers);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDuplicateSigner.selector, 2, wallets[0])
        );
        settlement.propose(id, cp, sigs);
    }

    function test_RevertWhen_DuplicateSignerViaHighSTwin() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        sigs[2] = _highS(sigs[0]); // same signer, the malleated twin of its signature
        _expectInvalidSignature(2);
        settlement.propose(id, cp, sigs);
    }

    function test_RevertWhen_OutsiderSigns() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        uint256 outsiderKey = _key("outsider", 0);
        sigs[1] = _sign(outsiderKey, settlement.hashCheckpoint(id, cp));
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector, 1, vm.addr(outsiderKey)
            )
        );
        settlement.propose(id, cp, sigs);
    }

    function test_RevertWhen_WalletKeySignsInsteadOfSessionKey() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        sigs[0] = _sign(walletKeys[0], settlement.hashCheckpoint(id, cp));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector, 0, wallets[0])
        );
        settlement.propose(id, cp, sigs);
    }

    function test_RevertWhen_SignatureRecoversToZero() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[4] memory bad = [
            abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27)), // r = 0
            abi.encodePacked(bytes32(uint256(1)), bytes32(0), uint8(28)), // s = 0
            abi.encodePacked(bytes32(type(uint256).max), bytes32(uint256(1)), uint8(27)), // r >= n
            abi.encodePacked(bytes32(0), bytes32(0), uint8(0)) // all zero
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            bytes[] memory sigs = _signCp(id, cp, 3);
            sigs[1] = bad[i];
            _expectInvalidSignature(1);
            settlement.propose(id, cp, sigs);
        }
    }

    function test_RevertWhen_SignatureMalformed() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes memory good = _signCp(id, cp, 1)[0];
        bytes[7] memory bad = [
            _highS(good),
            _compact(good), // 64 bytes (ERC-2098)
            _withV(good, 29),
            _withV(good, 0),
            _withV(good, 1),
            bytes.concat(good, hex"00"), // 66 bytes
            bytes("")
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            bytes[] memory sigs = _signCp(id, cp, 3);
            sigs[0] = bad[i];
            _expectInvalidSignature(0);
            settlement.propose(id, cp, sigs);
        }
    }

    function test_RevertWhen_ReplayedOnAnotherChain() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        vm.chainId(1);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.propose(id, cp, sigs);
    }

    function test_RevertWhen_ReplayedOnAnotherContract() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        ISettlement original = settlement;
        settlement = ISettlement(address(new ChannelSettlement()));
        bytes32 otherId = _open(4, 3); // same participants and keys on the other contract
        vm.assertTrue(otherId != id, "ids differ per contract");
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.propose(otherId, cp, sigs);
        // and the same channel id cannot be used there either
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, id));
        settlement.propose(id, cp, sigs);
        settlement = original;
    }

    function test_RevertWhen_ReplayedOnAnotherChannel() public {
        IChannelSettlement.OpenParams memory p = _params(4, 3);
        p.nonce = 2; // same participants and session keys, another channel
        bytes32 other = _open(p);
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.propose(other, cp, sigs);
    }

    function test_RevertWhen_OneFieldChanged() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        cp.stateRoot = keccak256("other state");
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.propose(id, cp, sigs);
    }

    // ---------------------------------------------------------------- challenges

    function test_Challenge_HigherVersionReplacesAndExtends() public {
        IChannelSettlement.Checkpoint memory v1 = _cp(1, keccak256("v1"));
        settlement.propose(id, v1, _signCp(id, v1, 3));
        vm.warp(T0 + 100);
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        bytes[] memory sigs = _signCp(id, v2, 3);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.CheckpointChallenged(
            id, 2, address(this), 1, settlement.hashCheckpoint(id, v2), v2.balancesRoot, uint64(T0 + 100 + WINDOW)
        );
        settlement.propose(id, v2, sigs);
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(info.checkpoint.version, 2, "version");
        vm.assertEq(info.checkpoint.balancesRoot, keccak256("v2"), "root");
        vm.assertEq(info.deadline, T0 + 100 + WINDOW, "extended to now + window");
        vm.assertEq(info.firstProposalAt, T0, "first proposal time unchanged");
    }

    function test_RevertWhen_ChallengeWithEqualOrLowerVersion() public {
        IChannelSettlement.Checkpoint memory v5 = _cp(5, keccak256("v5"));
        settlement.propose(id, v5, _signCp(id, v5, 3));

        bytes[] memory sigs = _signCp(id, v5, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, 5, 5));
        settlement.propose(id, v5, sigs); // the same checkpoint again

        IChannelSettlement.Checkpoint memory stale = _cp(4, keccak256("v4"));
        sigs = _signCp(id, stale, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, 4, 5));
        settlement.propose(id, stale, sigs);
    }

    function test_Challenge_HigherVersionWinsAfterFrontRun() public {
        // A participant front-runs with an old checkpoint; the newest one still wins.
        IChannelSettlement.Checkpoint memory old = _cp(3, keccak256("old"));
        IChannelSettlement.Checkpoint memory latest = _cp(8, keccak256("latest"));
        IChannelSettlement.Checkpoint memory middle = _cp(6, keccak256("middle"));
        bytes[] memory oldSigs = _signCp(id, old, 3);
        bytes[] memory latestSigs = _signCp(id, latest, 3);
        bytes[] memory middleSigs = _signCp(id, middle, 3);

        settlement.propose(id, old, oldSigs);
        settlement.propose(id, latest, latestSigs);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, 6, 8));
        settlement.propose(id, middle, middleSigs);

        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 8, "latest final");
        vm.assertEq(settlement.getChannel(id).checkpoint.balancesRoot, keccak256("latest"), "latest root");
    }

    function test_RevertWhen_ChallengeAtOrAfterDeadline() public {
        IChannelSettlement.Checkpoint memory v1 = _cp(1, bytes32(0));
        settlement.propose(id, v1, _signCp(id, v1, 3));
        IChannelSettlement.Checkpoint memory v2 = _cp(2, bytes32(0));
        bytes[] memory sigs = _signCp(id, v2, 3);

        vm.warp(T0 + WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, uint64(T0 + WINDOW))
        );
        settlement.propose(id, v2, sigs);

        vm.warp(T0 + 10 * WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, uint64(T0 + WINDOW))
        );
        settlement.propose(id, v2, sigs);
    }

    function test_Challenge_LastSecondIsAccepted() public {
        IChannelSettlement.Checkpoint memory v1 = _cp(1, bytes32(0));
        settlement.propose(id, v1, _signCp(id, v1, 3));
        vm.warp(T0 + WINDOW - 1);
        IChannelSettlement.Checkpoint memory v2 = _cp(2, bytes32(0));
        settlement.propose(id, v2, _signCp(id, v2, 3));
        vm.assertEq(settlement.getChannel(id).deadline, T0 + 2 * WINDOW - 1, "extended");
    }

    function test_Challenge_DeadlineCappedAgainstGriefing() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, 3));
        uint64 cap = uint64(T0 + 2 * WINDOW);
        uint64 lastDeadline = uint64(T0 + WINDOW);
        uint64 version = 1;
        // A griefer holding many signed versions challenges one second before every deadline.
        while (true) {
            uint64 deadline = settlement.getChannel(id).deadline;
            vm.assertLe(deadline, cap, "deadline within cap");
            vm.assertGe(deadline, lastDeadline, "deadline never shrinks");
            lastDeadline = deadline;
            vm.warp(deadline - 1);
            cp = _cp(++version, bytes32(0));
            settlement.propose(id, cp, _signCp(id, cp, 3));
            if (deadline == cap) break;
        }
        vm.assertEq(settlement.getChannel(id).deadline, cap, "pinned at cap");
        vm.warp(cap);
        cp = _cp(++version, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeClosed.selector, cap));
        settlement.propose(id, cp, sigs);
        settlement.finalize(id);
        vm.assertEq(uint256(_status()), uint256(IChannelSettlement.Status.Finalized), "finalized at cap");
    }

    function test_Challenge_ManyQuickChallengesStayCapped() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, 3));
        for (uint64 v = 2; v < 60; ++v) {
            vm.warp(block.timestamp + WINDOW / 20);
            if (block.timestamp >= settlement.getChannel(id).deadline) break;
            cp = _cp(v, bytes32(0));
            settlement.propose(id, cp, _signCp(id, cp, 3));
            vm.assertLe(settlement.getChannel(id).deadline, T0 + 2 * WINDOW, "cap");
        }
        vm.assertEq(settlement.getChannel(id).deadline, T0 + 2 * WINDOW, "reached cap");
    }

    // ---------------------------------------------------------------- finalize

    function test_Finalize_AfterDeadline() public {
        IChannelSettlement.Checkpoint memory cp = _cp(3, keccak256("root"));
        settlement.propose(id, cp, _signCp(id, cp, 3));
        vm.warp(T0 + WINDOW);
        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.ChannelFinalized(id, 3, keccak256("root"));
        vm.prank(address(0xcafe)); // anyone may finalize
        settlement.finalize(id);
        vm.assertEq(uint256(_status()), uint256(IChannelSettlement.Status.Finalized), "finalized");
    }

    function test_RevertWhen_FinalizeBeforeDeadline() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, 3));
        vm.warp(T0 + WINDOW - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDisputeOpen.selector, uint64(T0 + WINDOW))
        );
        settlement.finalize(id);
    }

    function test_RevertWhen_FinalizeWithoutProposal() public {
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoProposal.selector, id));
        settlement.finalize(id);
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, unknown));
        settlement.finalize(unknown);
    }

    function test_RevertWhen_FinalizedTwiceOrProposedAfter() public {
        _finalize(id, _cp(1, bytes32(0)), 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelFinalized.selector, id));
        settlement.finalize(id);
        IChannelSettlement.Checkpoint memory cp = _cp(2, bytes32(0));
        bytes[] memory sigs = _signCp(id, cp, 3);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelFinalized.selector, id));
        settlement.propose(id, cp, sigs);
    }
}

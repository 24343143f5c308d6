// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/// @notice Forced inclusion (issue #12): forceInclude, and the rule that a checkpoint may not leave out overdue records.
contract ChannelSettlementForcedTest is ChannelFixture {
    bytes32 internal id;
    uint64 internal delay;

    bytes internal constant OP = hex"0300010000000000000000000000000000000000002a"; // a core Transfer op (tag 0x03)

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
        delay = settlement.forceInclusionDelay(id);
    }

    function _force(uint256 who, bytes memory op) internal returns (uint64) {
        vm.prank(wallets[who]);
        return settlement.forceInclude(id, op);
    }

    function _cpWith(uint64 version, uint64 forcedCount) internal pure returns (IChannelSettlement.Checkpoint memory cp) {
        cp = _cp(version, keccak256(abi.encode("balances", version)));
        cp.forcedCount = forcedCount;
    }

    function _propose(IChannelSettlement.Checkpoint memory cp) internal {
        settlement.propose(id, cp, _signCp(id, cp, 3));
    }

    function _expectExcluded(uint64 forcedCount, uint64 recordedAt) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementForcedOpExcluded.selector,
                forcedCount,
                recordedAt,
                recordedAt + delay
            )
        );
    }

    // ---------------------------------------------------------------- recording

    function test_Delay_IsMinOfWindowAndConstant() public {
        vm.assertEq(delay, ChannelSettlement(address(settlement)).FORCE_INCLUSION_DELAY(), "1 day window: the 1 hour constant");
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.disputeWindow = 10 minutes;
        bytes32 short = _open(p);
        vm.assertEq(settlement.forceInclusionDelay(short), 10 minutes, "short window: the window");
    }

    function test_ForceInclude_RecordsAndEmits() public {
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.ForcedOpRecorded(id, 0, wallets[2], OP, uint64(T0));
        vm.assertEq(_force(2, OP), 0, "first index");
        vm.warp(T0 + 5);
        vm.assertEq(_force(1, hex"21"), 1, "second index");

        vm.assertEq(settlement.getChannel(id).forcedCount, 2, "count");
        IChannelSettlement.ForcedRecord memory r = settlement.getForcedOp(id, 0);
        vm.assertEq(r.participant, wallets[2], "participant");
        vm.assertEq(r.opHash, keccak256(OP), "hash");
        vm.assertEq(r.time, uint64(T0), "time");
        vm.assertEq(settlement.getForcedOp(id, 1).time, uint64(T0 + 5), "second time");
    }

    function test_RevertWhen_GetForcedOpMissing() public {
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementForcedOpNotFound.selector, id, 0));
        settlement.getForcedOp(id, 0);
    }

    function test_RevertWhen_ForceIncludeByOutsider() public {
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(0xbad))
        );
        vm.prank(address(0xbad));
        settlement.forceInclude(id, OP);
    }

    function test_RevertWhen_ForceIncludeUnknownChannel() public {
        bytes32 other = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, other));
        vm.prank(wallets[0]);
        settlement.forceInclude(other, OP);
    }

    function test_RevertWhen_ForceIncludeEmptyOrTooLong() public {
        uint256 max = ChannelSettlement(address(settlement)).MAX_FORCED_OP_LENGTH();
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidForcedOp.selector, 0, max));
        _force(0, "");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidForcedOp.selector, max + 1, max)
        );
        _force(0, new bytes(max + 1));
        _force(0, new bytes(max)); // the longest one is accepted
    }

    function test_RevertWhen_ForceIncludePastWindowLimit() public {
        uint16 max = ChannelSettlement(address(settlement)).MAX_FORCED_OPS_PER_WINDOW();
        vm.warp(T0 + 10);
        _force(1, OP); // opens participant 1's window at T0 + 10
        vm.warp(T0 + 20);
        for (uint256 i = 1; i < max; ++i) {
            _force(1, OP);
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementForcedOpLimit.selector, id, wallets[1], max, uint64(T0 + 10) + delay
            )
        );
        _force(1, OP);
        _force(2, OP); // the cap is per participant
        vm.warp(T0 + 10 + delay - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementForcedOpLimit.selector, id, wallets[1], max, uint64(T0 + 10) + delay
            )
        );
        _force(1, OP);
        vm.warp(T0 + 10 + delay); // a new window
        for (uint256 i = 0; i < max; ++i) {
            _force(1, OP);
        }
        vm.assertEq(settlement.getChannel(id).forcedCount, 2 * uint64(max) + 1, "count");
    }

    function test_RevertWhen_ForceIncludeWhileClosing() public {
        _propose(_cpWith(1, 0));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelNotOpen.selector, id));
        _force(0, OP);
    }

    function test_RevertWhen_ForceIncludeAfterEscape() public {
        vm.prank(wallets[0]);
        settlement.escape(id);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelNotOpen.selector, id));
        _force(1, OP);
    }

    // ---------------------------------------------------------------- the inclusion rule

    function test_Propose_LeavingOutAYoungRecord() public {
        _force(2, OP);
        vm.warp(T0 + delay - 1);
        _propose(_cpWith(1, 0)); // within the delay: not yet due
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 1, "accepted");
    }

    function test_RevertWhen_ProposeLeavesOutAnOverdueRecord() public {
        _force(2, OP);
        vm.warp(T0 + delay);
        IChannelSettlement.Checkpoint memory cp = _cpWith(1, 0);
        bytes[] memory sigs = _signCp(id, cp, 3);
        _expectExcluded(0, uint64(T0));
        settlement.propose(id, cp, sigs);
        _propose(_cpWith(1, 1)); // including it is accepted
    }

    function test_RevertWhen_ProposeLeavesOutTheSecondOfTwo() public {
        _force(2, OP);
        vm.warp(T0 + 100);
        _force(3, OP);
        vm.warp(T0 + 100 + delay);
        IChannelSettlement.Checkpoint memory cp = _cpWith(1, 1);
        bytes[] memory sigs = _signCp(id, cp, 3);
        _expectExcluded(1, uint64(T0 + 100));
        settlement.propose(id, cp, sigs);
    }

    function test_Propose_OlderIncludedYoungerLeftOut() public {
        _force(2, OP);
        vm.warp(T0 + delay);
        _force(3, OP); // young
        _propose(_cpWith(1, 1));
        vm.assertEq(settlement.getChannel(id).checkpoint.forcedCount, 1, "record 1 not yet due");
    }

    function test_RevertWhen_ChallengeLeavesOutARecordThatBecameDue() public {
        _force(2, OP);
        _propose(_cpWith(1, 0)); // at once: young, accepted
        vm.warp(T0 + delay);
        IChannelSettlement.Checkpoint memory cp = _cpWith(2, 0);
        bytes[] memory sigs = _signCp(id, cp, 3);
        _expectExcluded(0, uint64(T0));
        settlement.propose(id, cp, sigs);
        _propose(_cpWith(2, 1)); // the honest answer holds it and replaces v1
        vm.assertEq(settlement.getChannel(id).checkpoint.forcedCount, 1, "v2 holds the record");
    }

    function test_Finalize_PendingCheckpointStaysFinalizable() public {
        // a record that was young when the checkpoint became pending never blocks finalization: the queue is frozen
        _force(2, OP);
        _propose(_cpWith(1, 0));
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);
        vm.assertEq(uint256(settlement.getChannel(id).status), uint256(IChannelSettlement.Status.Finalized), "final");
    }

    function test_RevertWhen_EmergencyExitLeavesOutAnOverdueRecord() public {
        Balance[] memory b = new Balance[](2);
        b[0] = Balance(wallets[0], address(token), 10);
        b[1] = Balance(wallets[1], address(token), 20);
        IChannelSettlement.Checkpoint memory cp = _cp(1, _root(id, 1, b));
        bytes[] memory sigs = _signCp(id, cp, 3);
        bytes32[] memory proof = _proof(id, 1, b, 0);
        _force(3, OP);
        vm.warp(T0 + delay);
        _expectExcluded(0, uint64(T0));
        vm.prank(wallets[0]);
        settlement.emergencyExit(id, cp, sigs, address(token), 10, proof);
    }

    function test_RevertWhen_EscapeReplacementLeavesOutAnOverdueRecord() public {
        _force(2, OP);
        vm.prank(wallets[0]);
        settlement.escape(id);
        vm.warp(T0 + delay);
        IChannelSettlement.Checkpoint memory cp = _cpWith(1, 0);
        bytes[] memory sigs = _signCp(id, cp, 3);
        _expectExcluded(0, uint64(T0));
        settlement.propose(id, cp, sigs);
        _propose(_cpWith(1, 1));
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 1, "replaced the escape");
    }

    function test_Finalize_EscapeWithRecordsStillFinalizes() public {
        _force(2, OP);
        vm.prank(wallets[0]);
        settlement.escape(id);
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id); // version 0 includes no forced op, and must not be blocked by them
    }

    /// @notice The censorship scenario: C's op is ignored off chain; C forces it; the censors' checkpoint without it
    /// cannot be proposed once the delay passed, the one holding it settles.
    function test_Censorship_ForcedOpMustBeInTheFinalCheckpoint() public {
        Balance[] memory before = new Balance[](1);
        before[0] = Balance(wallets[2], address(token), 100);
        Balance[] memory afterOp = new Balance[](2);
        afterOp[0] = Balance(wallets[2], address(token), 58);
        afterOp[1] = Balance(wallets[0], address(token), 42);
        _deposit(id, 2, 100);

        _force(2, OP);
        vm.warp(T0 + delay + 1);
        IChannelSettlement.Checkpoint memory censored = _cp(5, _root(id, 5, before));
        censored.depositCount = 1;
        bytes[] memory sigs = _signCp(id, censored, 3);
        _expectExcluded(0, uint64(T0));
        settlement.propose(id, censored, sigs);

        IChannelSettlement.Checkpoint memory honest = _cp(6, _root(id, 6, afterOp));
        honest.depositCount = 1;
        honest.forcedCount = 1;
        _finalize(id, honest, 3);
        bytes32[] memory proof = _proof(id, 6, afterOp, 1);
        vm.prank(wallets[0]);
        settlement.claim(id, address(token), 42, proof);
        vm.assertEq(settlement.owed(wallets[0], address(token)), 42, "the forced transfer paid out");
    }

    // ---------------------------------------------------------------- fuzz

    /// @notice Any record time, proposal time and forcedCount: accepted iff every left-out record is younger than
    /// the delay (the first left-out one decides, as records are in time order).
    function testFuzz_InclusionRule(uint8 records, uint64 gap, uint64 wait, uint64 forcedCount) public {
        records = uint8(bound(records, 1, 12));
        gap = uint64(bound(gap, 0, 2 hours));
        wait = uint64(bound(wait, 0, 3 hours));
        forcedCount = uint64(bound(forcedCount, 0, records));
        uint64[] memory times = new uint64[](records);
        uint256 t = T0;
        for (uint256 i = 0; i < records; ++i) {
            vm.warp(t);
            times[i] = uint64(t);
            _force(i % 4, OP);
            t += gap;
        }
        uint256 now_ = times[records - 1] + wait;
        vm.warp(now_);
        bool due;
        for (uint256 i = forcedCount; i < records; ++i) {
            if (times[i] + delay <= now_) due = true;
        }
        IChannelSettlement.Checkpoint memory cp = _cpWith(1, forcedCount);
        bytes[] memory sigs = _signCp(id, cp, 3);
        if (due) _expectExcluded(forcedCount, times[forcedCount]);
        settlement.propose(id, cp, sigs);
        if (!due) vm.assertEq(settlement.getChannel(id).checkpoint.forcedCount, forcedCount, "accepted");
    }
}

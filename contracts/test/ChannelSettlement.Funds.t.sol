// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {NoReturnToken} from "./mocks/NoReturnToken.sol";
import {HookToken} from "./mocks/HookToken.sol";
import {Reenterer} from "./mocks/Reenterer.sol";

/// @notice deposit, depositEth, bond, releaseBond and the deposit records the channel core reads.
contract ChannelSettlementFundsTest is ChannelFixture {
    bytes32 internal id;

    function setUp() public override {
        super.setUp();
        id = _open(3, 2);
    }

    function _withTokens(address[] memory tokens) internal returns (bytes32) {
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.tokens = tokens;
        p.nonce = uint256(keccak256(abi.encode(tokens)));
        return _open(p);
    }

    function _one(address t) internal pure returns (address[] memory tokens) {
        tokens = new address[](1);
        tokens[0] = t;
    }

    // ---------------------------------------------------------------- deposits

    function test_Deposit_RecordsSequentialIndices() public {
        token.mint(wallets[1], 700);
        vm.prank(wallets[1]);
        token.approve(address(settlement), 700);

        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Deposited(id, 0, wallets[1], address(token), 500);
        vm.prank(wallets[1]);
        vm.assertEq(settlement.deposit(id, address(token), 500), 0, "first index");

        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Deposited(id, 1, wallets[2], address(0), 1 ether);
        vm.assertEq(_depositEth(id, 2, 1 ether), 1, "second index");

        vm.prank(wallets[1]);
        vm.assertEq(settlement.deposit(id, address(token), 200), 2, "third index");

        vm.assertEq(settlement.depositCount(id), 3, "count");
        vm.assertEq(settlement.getChannel(id).depositCount, 3, "count in info");
        IChannelSettlement.DepositRecord memory r = settlement.getDeposit(id, 1);
        vm.assertEq(r.participant, wallets[2], "participant");
        vm.assertEq(r.token, address(0), "token");
        vm.assertEq(r.amount, 1 ether, "amount");
        r = settlement.getDeposit(id, 2);
        vm.assertEq(r.participant, wallets[1], "participant 2");
        vm.assertEq(r.token, address(token), "token 2");
        vm.assertEq(r.amount, 200, "amount 2");

        vm.assertEq(settlement.holdings(id, address(token)), 700, "token holdings");
        vm.assertEq(settlement.holdings(id, address(0)), 1 ether, "eth holdings");
        vm.assertEq(token.balanceOf(address(settlement)), 700, "token balance");
        vm.assertEq(address(settlement).balance, 1 ether, "eth balance");
    }

    function test_Deposit_LargestStorableAmount() public {
        uint256 max = type(uint128).max; // the channel core's cap (audit: was uint240, see DepositCap.t.sol)
        _deposit(id, 0, max);
        vm.assertEq(settlement.getDeposit(id, 0).amount, max, "max amount");

        token.mint(wallets[0], max + 1);
        vm.prank(wallets[0]);
        token.approve(address(settlement), max + 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAmountTooLarge.selector, max + 1));
        vm.prank(wallets[0]);
        settlement.deposit(id, address(token), max + 1);
    }

    function test_RevertWhen_DepositRecordMissing() public {
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDepositNotFound.selector, id, 0));
        settlement.getDeposit(id, 0);
    }

    function test_RevertWhen_DepositToUnknownChannel() public {
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, unknown));
        vm.prank(wallets[0]);
        settlement.deposit(unknown, address(token), 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, unknown));
        settlement.depositEth{value: 1}(unknown);
    }

    function test_RevertWhen_DepositByOutsider() public {
        address outsider = address(0xbad);
        token.mint(outsider, 10);
        vm.prank(outsider);
        token.approve(address(settlement), 10);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, outsider)
        );
        vm.prank(outsider);
        settlement.deposit(id, address(token), 10);

        vm.deal(outsider, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, outsider)
        );
        vm.prank(outsider);
        settlement.depositEth{value: 1}(id);
    }

    function test_RevertWhen_DepositTokenNotAccepted() public {
        address other = address(new FeeOnTransferToken());
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementTokenNotAccepted.selector, id, other)
        );
        vm.prank(wallets[0]);
        settlement.deposit(id, other, 1);

        bytes32 tokenOnly = _withTokens(_one(address(token)));
        vm.deal(wallets[0], 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementTokenNotAccepted.selector, tokenOnly, address(0))
        );
        vm.prank(wallets[0]);
        settlement.depositEth{value: 1}(tokenOnly);
    }

    function test_RevertWhen_NativeTokenPassedToDeposit() public {
        vm.expectRevert(IChannelSettlement.ChannelSettlementNativeTokenDeposit.selector);
        vm.prank(wallets[0]);
        settlement.deposit(id, address(0), 1);
    }

    function test_RevertWhen_DepositZero() public {
        vm.expectRevert(IChannelSettlement.ChannelSettlementZeroAmount.selector);
        vm.prank(wallets[0]);
        settlement.deposit(id, address(token), 0);
        vm.expectRevert(IChannelSettlement.ChannelSettlementZeroAmount.selector);
        vm.prank(wallets[0]);
        settlement.depositEth(id);
    }

    function test_RevertWhen_DepositAfterSettlementStarted() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, 2));
        token.mint(wallets[0], 1);
        vm.prank(wallets[0]);
        token.approve(address(settlement), 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelNotOpen.selector, id));
        vm.prank(wallets[0]);
        settlement.deposit(id, address(token), 1);

        vm.warp(block.timestamp + WINDOW);
        settlement.finalize(id);
        vm.deal(wallets[0], 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelNotOpen.selector, id));
        vm.prank(wallets[0]);
        settlement.depositEth{value: 1}(id);
    }

    function test_RevertWhen_PlainEthTransfer() public {
        vm.deal(address(this), 1);
        (bool ok,) = address(settlement).call{value: 1}("");
        vm.assertFalse(ok, "no receive function");
    }

    // ---------------------------------------------------------------- token quirks

    function test_Deposit_FeeOnTransferCreditsReceivedAmount() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        bytes32 c = _withTokens(_one(address(fee)));
        fee.mint(wallets[0], 1000);
        vm.prank(wallets[0]);
        fee.approve(address(settlement), 1000);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Deposited(c, 0, wallets[0], address(fee), 990);
        vm.prank(wallets[0]);
        settlement.deposit(c, address(fee), 1000);
        vm.assertEq(settlement.getDeposit(c, 0).amount, 990, "recorded");
        vm.assertEq(settlement.holdings(c, address(fee)), 990, "holdings");
        vm.assertEq(fee.balanceOf(address(settlement)), 990, "balance");
    }

    function test_Deposit_NoReturnValueToken() public {
        NoReturnToken usdt = new NoReturnToken();
        bytes32 c = _withTokens(_one(address(usdt)));
        usdt.mint(wallets[0], 1000);
        vm.prank(wallets[0]);
        usdt.approve(address(settlement), 1000);
        vm.prank(wallets[0]);
        settlement.deposit(c, address(usdt), 1000);
        vm.assertEq(settlement.holdings(c, address(usdt)), 1000, "holdings");

        usdt.setFailSilently(true);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(usdt)));
        vm.prank(wallets[0]);
        settlement.deposit(c, address(usdt), 1);
    }

    function test_Deposit_ReentrantTokenCannotDoubleCount() public {
        HookToken hook = new HookToken();
        bytes32 c = _withTokens(_one(address(hook)));
        address attacker = wallets[0];
        vm.etch(attacker, address(new Reenterer()).code);
        Reenterer r = Reenterer(payable(attacker));
        hook.mint(attacker, 1000);
        r.execute(address(hook), abi.encodeCall(hook.approve, (address(settlement), 1000)));
        r.arm(address(settlement), abi.encodeCall(settlement.deposit, (c, address(hook), 500)));

        vm.prank(attacker);
        settlement.deposit(c, address(hook), 500);

        vm.assertEq(r.attempts(), 1, "re-entry attempted");
        vm.assertFalse(r.lastOk(), "re-entry refused");
        vm.assertEq(
            r.lastResult(), abi.encodeWithSelector(ReentrancyGuard.ReentrancyGuardReentrantCall.selector), "guard"
        );
        vm.assertEq(settlement.depositCount(c), 1, "one deposit");
        vm.assertEq(settlement.holdings(c, address(hook)), 500, "counted once");
    }

    // ---------------------------------------------------------------- bonds

    function test_Bond_Accumulates() public {
        vm.deal(wallets[1], 3 ether);
        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.Bonded(id, wallets[1], 1 ether, 1 ether);
        vm.prank(wallets[1]);
        settlement.bond{value: 1 ether}(id);
        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.Bonded(id, wallets[1], 2 ether, 3 ether);
        vm.prank(wallets[1]);
        settlement.bond{value: 2 ether}(id);
        vm.assertEq(settlement.getParticipant(id, wallets[1]).bond, 3 ether, "bond");
        vm.assertEq(settlement.holdings(id, address(0)), 0, "bonds are not holdings");
    }

    function test_Bond_AllowedWhileClosing() public {
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, 2));
        _bond(id, 0, 1 ether);
        vm.assertEq(settlement.getParticipant(id, wallets[0]).bond, 1 ether, "bond");
    }

    function test_RevertWhen_BondInvalid() public {
        vm.deal(address(0xbad), 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(0xbad))
        );
        vm.prank(address(0xbad));
        settlement.bond{value: 1}(id);

        vm.expectRevert(IChannelSettlement.ChannelSettlementZeroAmount.selector);
        vm.prank(wallets[0]);
        settlement.bond(id);

        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, unknown));
        settlement.bond{value: 0}(unknown);

        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        _finalize(id, cp, 2);
        vm.deal(wallets[0], 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelFinalized.selector, id));
        vm.prank(wallets[0]);
        settlement.bond{value: 1}(id);
    }

    function test_ReleaseBond_AfterTheEvidenceWindow() public {
        _bond(id, 1, 2 ether);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotFinalized.selector, id));
        vm.prank(wallets[1]);
        settlement.releaseBond(id);

        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        _finalize(id, cp, 2);
        uint64 unlock = settlement.getChannel(id).deadline + WINDOW;
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementBondLocked.selector, id, unlock));
        vm.prank(wallets[1]);
        settlement.releaseBond(id);
        vm.warp(unlock);

        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.BondReleased(id, wallets[1], 2 ether);
        vm.prank(wallets[1]);
        settlement.releaseBond(id);
        vm.assertEq(settlement.owed(wallets[1], address(0)), 2 ether, "owed");
        vm.assertEq(settlement.getParticipant(id, wallets[1]).bond, 0, "bond cleared");

        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoBond.selector, id, wallets[1]));
        vm.prank(wallets[1]);
        settlement.releaseBond(id);

        uint256 before = wallets[1].balance;
        vm.prank(wallets[1]);
        settlement.withdraw(address(0));
        vm.assertEq(wallets[1].balance - before, 2 ether, "paid");
    }

    function test_RevertWhen_ReleaseBondByOutsider() public {
        _finalize(id, _cp(1, bytes32(0)), 2);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(this))
        );
        settlement.releaseBond(id);
    }
}
